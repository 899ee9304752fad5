"""The lists' steps on each listed applicant's timeline (hq/applications/timeline.py, issue 21 point 6): a
ListEvent fans out to the applications on its list (submitted to the Kasi, checked by the Kasi, returned, approved
by the Kabid, SPT issued with the recording date), and a list's membership changing puts "on the list" / "taken off
the list" on those applicants' timelines. Both are Django signals in the list change's own transaction, so every
way a list changes (workflow.py, spt.py, the demo) is covered. The station assignment and its publishing stay off
the applicant's timeline (the SPT's recording date is what concerns them).
"""

from typing import Any

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from hq.applications import timeline
from hq.lists.models import ApplicationList, ListEvent

Action, State = ListEvent.Action, ApplicationList.State
# ListEvent action → (timeline kind, the role it needs)
KINDS = {Action.SUBMITTED: ("list_submitted", "admin"), Action.VERIFIED: ("list_verified", "kasi_pendataan"),
         Action.APPROVED: ("list_approved", "kabid_dafduk"), Action.SPT_ISSUED: ("spt_issued", "kasubbag_umum")}
RETURNED_BY = {State.SUBMITTED: "kasi_pendataan", State.VERIFIED: "kabid_dafduk"}


@receiver(post_save, sender=ListEvent, dispatch_uid="timeline.list_event")
def list_event(sender: type, instance: ListEvent, created: bool, **kwargs: Any) -> None:
    """One timeline event per application on the list, for the steps the applicant is shown."""
    if not created or kwargs.get("raw"):
        return
    if instance.action == Action.RETURNED:
        kind, role = "list_returned", RETURNED_BY.get(instance.from_state, "")
    elif instance.action in KINDS:
        kind, role = KINDS[instance.action]
    else:
        return
    note = ""
    if kind == "spt_issued":
        spt = getattr(instance.application_list, "spt", None)
        note = timeline.recording_note(spt.recording_date) if spt is not None else ""
    for application_id in instance.application_list.applications.values_list("pk", flat=True):
        timeline.record(application_id, kind, by=instance.by, role=role, note=note, at=instance.at)


@receiver(m2m_changed, sender=ApplicationList.applications.through, dispatch_uid="timeline.list_members")
def list_members(sender: type, instance: Any, action: str, reverse: bool, pk_set: set[int] | None,
                 **kwargs: Any) -> None:
    """Applicants put on or taken off a list (from the list's side, as workflow.py changes it)."""
    if reverse or not pk_set or action not in ("post_add", "post_remove"):
        return
    kind = "listed" if action == "post_add" else "unlisted"
    for application_id in sorted(pk_set):
        timeline.record(application_id, kind, role="admin")
