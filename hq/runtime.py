"""Starting Django from the `sinopsis hq` commands and the tests: the data dir into the environment, then setup.

Django reads its settings once per process, so `setup` must come before anything imports a model.
"""

import os
from pathlib import Path

from hq.errors import HqError

SETTINGS_MODULE = "hq.settings"


def setup(data_dir: Path | None = None) -> Path:
    """Configure and start Django with HQ's settings; returns the data dir in use.

    `data_dir` (from --data) wins over SINOPSIS_HQ_DATA. Calling it again in the same process with another
    data dir is an error, since Django cannot change its database after start.
    """
    import django
    from django.conf import settings

    if data_dir is not None:
        wanted = Path(data_dir).resolve()
        if settings.configured and Path(settings.HQ_DATA_DIR) != wanted:
            raise HqError(f"HQ already runs on {settings.HQ_DATA_DIR} in this process, not {wanted}",
                          "hq.data_dir")
        os.environ["SINOPSIS_HQ_DATA"] = str(wanted)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    try:
        settings.INSTALLED_APPS  # noqa: B018 (loads hq/settings.py: a bad SINOPSIS_HQ_* value is a ValueError)
    except ValueError as e:
        raise HqError(f"{e} (hq/settings.py lists the settings)", "hq.settings") from None
    try:
        django.setup()
    except OSError as e:
        raise HqError(f"HQ data directory {os.environ.get('SINOPSIS_HQ_DATA')}: {e.strerror}; choose another "
                      "with --data or SINOPSIS_HQ_DATA", "hq.data_dir") from None
    return Path(settings.HQ_DATA_DIR)


def migrate(verbosity: int = 1) -> None:
    """Bring the database up to the latest schema (safe to run again; each process may call it)."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def pending_migrations() -> list[str]:
    """The migrations not yet applied to the database ('app.name'), so a command can say so before starting."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
