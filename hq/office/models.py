"""Permissions that belong to no table: seeing the service report and the fleet dashboard (roles.py grants them)."""

from django.db import models


class OfficePermissions(models.Model):
    """No table: only the permissions below, so groups can be granted them like any other."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = (("view_service_report", "Can see and export the service report"),
                       ("view_fleet", "Can see the fleet dashboard"),
                       ("view_office", "Can use the office pages (staff)"))
