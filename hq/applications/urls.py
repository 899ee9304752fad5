"""The applications app's URLs (mounted under /applications/ by hq/urls.py): the student's account and
application (SOP step 1), the SIAK and school-list imports and the verification queue (step 2), the corrections
(step 9)."""

from django.urls import URLPattern, path, re_path

from hq.applications import (
    account_locks,
    account_views,
    apply_conflicts,
    apply_views,
    correction_replies,
    correction_views,
    import_views,
    review_views,
)

app_name = "applications"
NUMBER = r"(?P<number>[A-Za-z0-9-]{4,40})"

urlpatterns: list[URLPattern] = [
    path("register/", account_views.register, name="register"),
    path("register/sent/", account_views.register_sent, name="register_sent"),
    path("register/<uidb64>/<token>/", account_views.activate, name="activate"),
    path("password/reset/", account_views.password_reset, name="password_reset"),
    path("password/reset/sent/", account_views.password_reset_done, name="password_reset_done"),
    path("password/reset/done/", account_views.password_reset_complete, name="password_reset_complete"),
    path("password/reset/<uidb64>/<token>/", account_views.password_reset_confirm, name="password_reset_confirm"),
    path("lockouts/", account_locks.lockouts_page, name="lockouts"),
    path("apply/", apply_views.apply, name="apply"),
    path("mine/", apply_views.mine, name="mine"),
    path("queue/", review_views.queue, name="queue"),
    path("conflicts/", apply_conflicts.conflicts, name="conflicts"),
    path("conflicts/<int:pk>/resolve/", apply_conflicts.conflict_resolve, name="conflict_resolve"),
    re_path(rf"^queue/{NUMBER}/$", review_views.review, name="review"),
    re_path(rf"^queue/{NUMBER}/decide/$", review_views.decide, name="decide"),
    re_path(rf"^queue/{NUMBER}/undo/$", review_views.undo, name="undo_verification"),
    path("imports/", import_views.imports, name="imports"),
    path("imports/siak/", import_views.import_siak, name="import_siak"),
    path("imports/school/", import_views.import_school, name="import_school"),
    path("corrections/", correction_views.corrections, name="corrections"),
    path("corrections/<int:pk>/", correction_views.correction, name="correction"),
    path("corrections/<int:pk>/answer/", correction_views.correction_answer, name="correction_answer"),
    path("corrections/<int:pk>/resolve/", correction_views.correction_resolve, name="correction_resolve"),
    path("replies/<int:pk>/attachment/", correction_replies.reply_attachment, name="reply_attachment"),
    re_path(rf"^{NUMBER}/corrections/(?P<pk>[0-9]+)/reply/$", correction_replies.correction_reply,
            name="correction_reply"),
    re_path(rf"^{NUMBER}/$", apply_views.detail, name="detail"),
]
