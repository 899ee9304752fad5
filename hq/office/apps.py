"""The office app: roles (groups and their permissions), the office pages' shared layout and the home page."""

from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "hq.office"
    label = "office"
    verbose_name = "Office"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from hq.office.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self, dispatch_uid="sinopsis-office-roles")
