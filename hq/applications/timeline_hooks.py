"""Where the applications app's state changes become timeline events (timeline.py): Django's model signals on
Application and Correction, so every path that saves them — the office's views, the demo, a station's correction
request, the verification's undo — writes its event in the same transaction, without each having to remember.

- an Application saved for the first time: "submitted" (by the login that applied);
- an Application's state changed: verified / rejected (by who decided, the rejection's reason as the note) or,
  verified → submitted, the verification undone; the way into and out of "correction" is the Correction's;
- a Correction made: "correction requested" (the fields and the office's note); its state changed: answered by the
  office (problem and solution as the note), or resolved. The applicant's answer is recorded where it is made
  (correction_replies.py), with its text.

A change through QuerySet.update() sends no signal: the one such state change (recorded_at, set by the record
index) records its event itself.
"""

from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import translation

from hq.applications import timeline
from hq.applications.models import Application, Correction


def _previous_state(sender: type, instance: Any) -> str:
    if instance.pk is None or instance._state.adding:
        return ""
    return sender.objects.filter(pk=instance.pk).values_list("state", flat=True).first() or ""


@receiver(pre_save, sender=Application, dispatch_uid="timeline.application_before")
@receiver(pre_save, sender=Correction, dispatch_uid="timeline.correction_before")
def remember_state(sender: type, instance: Any, **kwargs: Any) -> None:
    """The state in the database before this save (compared after it)."""
    if not kwargs.get("raw"):
        instance._timeline_was = _previous_state(sender, instance)


@receiver(post_save, sender=Application, dispatch_uid="timeline.application_after")
def application_saved(sender: type, instance: Application, created: bool, **kwargs: Any) -> None:
    """submitted / verified / rejected / verification undone."""
    if kwargs.get("raw"):
        return
    was, now = getattr(instance, "_timeline_was", ""), instance.state
    if created:  # an application made in a later state (an import, the demo) has that step too
        timeline.record(instance, "submitted", by=instance.applicant, at=instance.submitted_at)
        was = Application.State.SUBMITTED
    at = instance.decided_at if created else None
    if was == now:
        pass
    elif now == Application.State.VERIFIED:
        timeline.record(instance, "verified", by=instance.decided_by, role="admin", at=at)
    elif now == Application.State.REJECTED:
        timeline.record(instance, "rejected", by=instance.decided_by, role="admin", note=instance.decision_note,
                        at=at)
    elif was == Application.State.VERIFIED and now == Application.State.SUBMITTED:
        timeline.record(instance, "verification_undone", role="admin")
    instance._timeline_was = now


def _fields_note(correction: Correction) -> str:
    from hq.applications.templatetags.application_tags import field_labels

    with translation.override("id"):
        labels = field_labels(correction.fields)
    return "\n".join(part for part in (labels, correction.problem) if part)


@receiver(post_save, sender=Correction, dispatch_uid="timeline.correction_after")
def correction_saved(sender: type, instance: Correction, created: bool, **kwargs: Any) -> None:
    """correction requested / answered by the office / resolved."""
    if kwargs.get("raw"):
        return
    was, now = getattr(instance, "_timeline_was", ""), instance.state
    if created:
        timeline.record(instance.application_id, "correction_requested", by=instance.opened_by, role="admin",
                        note=_fields_note(instance), at=instance.opened_at)
    elif was != now and now == Correction.State.ANSWERED:
        timeline.record(instance.application_id, "correction_answered", by=instance.answered_by, role="admin",
                        note=f"{instance.problem}\n{instance.solution}")
    elif was != now and now == Correction.State.RESOLVED:
        timeline.record(instance.application_id, "correction_resolved", by=instance.resolved_by, role="admin")
    instance._timeline_was = now
