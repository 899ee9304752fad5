"""Permissions that belong to no table: seeing the service report and the fleet dashboard, and seeing every
school's lists and SPTs rather than only those of one's own SPTs (roles.py grants them)."""

from django.db import models


class OfficePermissions(models.Model):
    """No table: only the permissions below, so groups can be granted them like any other."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = (("view_service_report", "Can see and export the service report"),
                       ("view_fleet", "Can see the fleet dashboard"),
                       ("view_office", "Can use the office pages (staff)"),
                       ("view_all_schools", "Can see every school's lists and SPTs (else only those of one's own "
                                            "SPTs)"))
