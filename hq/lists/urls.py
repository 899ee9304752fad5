"""The lists app's URLs (mounted under /lists/ by hq/urls.py): SOP steps 3–7."""

from django.urls import URLPattern, path

from hq.lists.views import assignment, bulk, detail, grouping, index, issue, spts, transitions

app_name = "lists"

urlpatterns: list[URLPattern] = [
    path("", index.index, name="index"),
    path("mine/", index.mine, name="mine"),
    path("bulk/verify/", bulk.bulk_verify, name="bulk_verify"),
    path("bulk/approve/", bulk.bulk_approve, name="bulk_approve"),
    path("new/", grouping.schools, name="new"),
    path("new/<str:npsn>/", grouping.group, name="group"),
    path("<int:pk>/", detail.detail, name="detail"),
    path("<int:pk>/edit/", detail.edit, name="edit"),
    path("<int:pk>/submit/", transitions.submit, name="submit"),
    path("<int:pk>/verify/", transitions.verify, name="verify"),
    path("<int:pk>/approve/", transitions.approve, name="approve"),
    path("<int:pk>/reapprove/", transitions.reapprove, name="reapprove"),
    path("<int:pk>/return/", transitions.return_list, name="return"),
    path("<int:pk>/spt/", issue.issue, name="issue"),
    path("spt/", spts.spts, name="spts"),
    path("spt/<int:pk>/", spts.spt_detail, name="spt"),
    path("spt/<int:pk>/pdf/", spts.spt_pdf, name="spt_pdf"),
    path("spt/<int:pk>/pins/", issue.renew_pins, name="renew_pins"),
    path("spt/<int:pk>/assign/", assignment.assign_stations, name="assign"),
    path("assignment/<int:pk>/send/", assignment.resend, name="resend"),
]
