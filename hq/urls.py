"""HQ's URLs: the office (SOP steps 1–7, 9, 10 and the service report), the fleet dashboard, the language toggle.

Each app keeps its own prefix: /office/ (home), /applications/ (steps 1, 2, 9, the student's account),
/lists/ (steps 3–7), /helpdesk/ (step 10), /reports/ (the service report), /verify/ (an acknowledgement slip's
QR; /verify/spt/<token>, public: an SPT letter's QR); the fleet dashboard stays at the root. /static/ is
whitenoise's (hq/staticfiles.py), answered before any URL here.
"""

from django.urls import URLPattern, URLResolver, include, path

from hq.lists.views.verify_spt import verify_spt

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: Bahasa Indonesia ⇄ English
    path("office/", include("hq.office.urls")),
    path("applications/", include("hq.applications.urls")),
    path("lists/", include("hq.lists.urls")),
    path("helpdesk/", include("hq.helpdesk.urls")),
    path("reports/", include("hq.reports.urls")),
    path("verify/spt/<str:token>", verify_spt, name="spt_verify"),  # an SPT letter's QR, public (no personal data)
    path("verify/", include("hq.ingest.urls")),  # an acknowledgement slip's QR, checked by office staff
    path("", include("hq.fleet.urls")),
]

handler500 = "hq.office.errors.server_error"  # the office's 500 page, with the request (hq/office/errors.py)
