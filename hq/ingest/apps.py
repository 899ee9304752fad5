"""The ingest app's configuration."""

from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "hq.ingest"
    label = "ingest"
    verbose_name = "Ingest"

    def ready(self) -> None:
        """Connect the receiver that marks a station's correction request handled when the office resolves it."""
        from hq.ingest import office_corrections  # noqa: F401 - registers its @receiver
