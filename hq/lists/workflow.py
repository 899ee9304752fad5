"""SOP steps 3–5: a school's verified applicants grouped into a list, and the list's way from the admin to the
Kasi (verification) and the Kabid (approval), with every change written as a ListEvent (who, when, from → to,
why) — the timeline on the list's page and the times the service report measures.

    draft ──submit (admin)──▶ submitted ──verify (Kasi)──▶ verified ──approve (Kabid)──▶ approved
      ▲                           │                           │                           │ data changed after
      └──────── return (Kasi, reason) ◀──┘  return (Kabid, reason) ◀┘                      └─ reapprove (Kabid)

Each transition names the state the person saw (`expected`): when the list has moved on since their page was
made (another person acted first), StaleError and nothing changes. The state is changed with a conditional
UPDATE (… WHERE state = expected), so two simultaneous clicks cannot both pass. Only a draft's applicants can be
changed; an approved list is frozen (content.py).

These functions are the only way lists change: the views, the demo and the tests all call them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hq.applications.models import Application, School
from hq.lists.content import changed_after_approval, content_sha256
from hq.lists.errors import ListError, StaleError
from hq.lists.models import ApplicationList, ListEvent
from hq.lists.numbering import next_list_number, this_year, with_fresh_number

State, Action = ApplicationList.State, ListEvent.Action


@dataclass(frozen=True)
class Transition:
    """One arrow of the state machine: from, to, the permission it needs, the event it writes."""

    name: str
    source: str
    target: str
    perm: str
    action: str
    needs_reason: bool = False


TRANSITIONS = {t.name: t for t in (
    Transition("submit", State.DRAFT, State.SUBMITTED, "lists.build_list", Action.SUBMITTED),
    Transition("verify", State.SUBMITTED, State.VERIFIED, "lists.check_list", Action.VERIFIED),
    Transition("approve", State.VERIFIED, State.APPROVED, "lists.approve_list", Action.APPROVED),
    Transition("reapprove", State.APPROVED, State.APPROVED, "lists.approve_list", Action.APPROVED),
)}
# who may return a list, by the state it is in: the Kasi what waits for verification, the Kabid for approval
RETURN_PERM = {State.SUBMITTED: "lists.check_list", State.VERIFIED: "lists.approve_list"}


def available_applicants(school: School, keep: ApplicationList | None = None) -> QuerySet[Application]:
    """The school's verified applicants on no list (other than `keep`), in application-number order."""
    taken = ApplicationList.objects.exclude(pk=keep.pk) if keep is not None else ApplicationList.objects.all()
    return (Application.objects.filter(school=school, state=Application.State.VERIFIED)
            .exclude(lists__in=taken).order_by("number"))


def _chosen(school: School, ids: Iterable[Any], keep: ApplicationList | None = None) -> list[Application]:
    """The applications with `ids`, each checked to be free for this list; ListError naming any that is not."""
    wanted = {int(i) for i in ids}
    found = {a.pk: a for a in available_applicants(school, keep).filter(pk__in=wanted)}
    missing = wanted - set(found)
    if missing:
        gone = Application.objects.filter(pk__in=missing).order_by("number")
        names = ", ".join(f"{a.number} ({a.name})" for a in gone) or ", ".join(str(i) for i in sorted(missing))
        raise ListError(_("These applicants can no longer go on this list: %(names)s. They are not verified any "
                          "more, belong to another school or are on another list already. Nothing was saved; "
                          "the page now shows who can be chosen.") % {"names": names}, "lists.not_available")
    return sorted(found.values(), key=lambda a: a.number)


def _ensure_on_one_list(application_list: ApplicationList) -> None:
    """ListError (the transaction is rolled back) when another list took one of these applicants meanwhile."""
    twice = (Application.objects.filter(lists=application_list).filter(lists__in=ApplicationList.objects.exclude(
        pk=application_list.pk)).order_by("number").distinct())
    if twice.exists():
        raise ListError(_("These applicants were put on another list at the same moment: %(names)s. Nothing was "
                          "saved; the page now shows who can be chosen.") % {
            "names": ", ".join(f"{a.number} ({a.name})" for a in twice)}, "lists.not_available")


def _event(application_list: ApplicationList, action: str, by: Any, source: str = "", target: str = "",
           reason: str = "") -> ListEvent:
    return ListEvent.objects.create(application_list=application_list, action=action, from_state=source,
                                    to_state=target, by=by, reason=reason, at=timezone.now())


def create_list(school: School, application_ids: Iterable[Any], by: Any,
                grouping_started_at: Any = None) -> ApplicationList:
    """Step 3: a draft list of the chosen (verified, unlisted) applicants of `school`, numbered DP-<year>-<n>."""
    if not by.has_perm("lists.build_list"):
        raise PermissionDenied
    with transaction.atomic():
        chosen = _chosen(school, application_ids)
        if not chosen:
            raise ListError(_("Choose at least one applicant for the list."), "lists.empty")

        def insert() -> ApplicationList:
            return ApplicationList.objects.create(number=next_list_number(this_year()), school=school,
                                                  created_by=by, grouping_started_at=grouping_started_at)

        made = with_fresh_number(insert)
        made.applications.set(chosen)
        _ensure_on_one_list(made)
        _event(made, Action.CREATED, by, "", State.DRAFT,
               _("%(count)d applicants of %(school)s") % {"count": len(chosen), "school": school.name})
    return made


def last_event(application_list: ApplicationList) -> ListEvent | None:
    return application_list.events.order_by("-at", "-id").first()


def stale_message(application_list: ApplicationList) -> str:
    """What happened to the list meanwhile, for the person whose page was out of date."""
    application_list.refresh_from_db()
    event = last_event(application_list)
    details = {"state": application_list.get_state_display()}
    if event is None:
        return _("This list has changed since your page was made (it is now: %(state)s). Nothing was changed; "
                 "read the list again, then decide.") % details
    details.update(action=event.get_action_display(), when=timezone.localtime(event.at).strftime("%d-%m-%Y %H:%M"),
                   who=_person(event.by))
    return _("This list has changed since your page was made: %(action)s by %(who)s at %(when)s (it is now: "
             "%(state)s). Nothing was changed; read the list again, then decide.") % details


def _person(user: Any) -> str:
    if user is None:
        return _("the system")
    return user.get_full_name() or user.get_username()


def ensure_changeable(application_list: ApplicationList) -> None:
    """ListError unless the list is a draft: an approved list is frozen, a list with the Kasi or the Kabid must
    be returned first."""
    if application_list.state == State.APPROVED:
        raise ListError(_("This list is approved and frozen: its applicants cannot be added or removed. If an "
                          "applicant's data must change, the change needs the Kabid's approval again."),
                        "lists.frozen")
    if application_list.state != State.DRAFT:
        raise ListError(_("Only a draft can be changed; this list is now: %(state)s. The Kasi or the Kabid can "
                          "return it to you with a reason.") % {"state": application_list.get_state_display()},
                        "lists.not_draft")


def change_list(application_list: ApplicationList, application_ids: Iterable[Any], by: Any,
                seen_event: int | None = None) -> ListEvent | None:
    """The admin changes a draft's applicants (ListEvent `changed` naming who was added and removed); None when
    nothing differs. ListError for a list that is not a draft (an approved one is frozen); StaleError when the
    list changed after the person's page (`seen_event`: the id of the newest event they saw)."""
    if not by.has_perm("lists.build_list"):
        raise PermissionDenied
    with transaction.atomic():
        current = ApplicationList.objects.select_for_update().get(pk=application_list.pk)
        newest = last_event(current)
        if seen_event is not None and newest is not None and newest.pk != seen_event:
            raise StaleError(stale_message(current), "lists.stale")
        ensure_changeable(current)
        chosen = _chosen(current.school, application_ids, keep=current)
        if not chosen:
            raise ListError(_("A list needs at least one applicant. Keep at least one, or leave the list as it "
                              "is."), "lists.empty")
        before = {a.pk: a for a in current.applications.all()}
        after = {a.pk: a for a in chosen}
        added = sorted((after[k] for k in after.keys() - before.keys()), key=lambda a: a.number)
        removed = sorted((before[k] for k in before.keys() - after.keys()), key=lambda a: a.number)
        if not added and not removed:
            return None
        current.applications.set(chosen)
        _ensure_on_one_list(current)
        parts = []
        if added:
            parts.append(_("added: %(list)s") % {"list": ", ".join(f"{a.number} {a.name}" for a in added)})
        if removed:
            parts.append(_("removed: %(list)s") % {"list": ", ".join(f"{a.number} {a.name}" for a in removed)})
        return _event(current, Action.CHANGED, by, State.DRAFT, State.DRAFT, "; ".join(parts))


def _not_verified(application_list: ApplicationList) -> list[Application]:
    return list(application_list.applications.exclude(state=Application.State.VERIFIED).order_by("number"))


def transition(application_list: ApplicationList, name: str, by: Any, expected: str) -> ListEvent:
    """Move the list along the arrow `name` (submit, verify, approve, reapprove) as `by`, who saw it in state
    `expected`. PermissionDenied outside the role; StaleError when the list is no longer in `expected`;
    ListError when the arrow does not start at `expected` or the list's applicants do not allow it."""
    arrow = TRANSITIONS[name]
    if not by.has_perm(arrow.perm):
        raise PermissionDenied
    with transaction.atomic():
        current = ApplicationList.objects.select_for_update().get(pk=application_list.pk)
        if current.state != expected:
            raise StaleError(stale_message(current), "lists.stale")
        if arrow.source != expected:
            raise ListError(_("This step does not apply to a list that is: %(state)s. Nothing was changed.")
                            % {"state": current.get_state_display()}, "lists.wrong_state")
        if not current.applications.exists():
            raise ListError(_("The list has no applicants; add at least one first."), "lists.empty")
        unverified = _not_verified(current)
        if unverified:
            raise ListError(_("These applicants are not verified any more: %(list)s. The list cannot go on until "
                              "they are verified again or removed (a list in progress can be returned to the "
                              "admin).") % {"list": ", ".join(f"{a.number} {a.name} ({a.get_state_display()})"
                                                              for a in unverified)}, "lists.unverified")
        reason = ""
        changes: dict[str, Any] = {"state": arrow.target}
        if name == "reapprove":
            if not changed_after_approval(current):
                raise StaleError(_("The list's data are the data approved already; there is nothing to approve "
                                   "again. Nothing was changed."), "lists.stale")
            reason = _("approved again after the applicants' data changed")
        if arrow.target == State.APPROVED:
            changes["approved_sha256"] = content_sha256(current)
        moved = ApplicationList.objects.filter(pk=current.pk, state=expected).update(**changes)
        if moved != 1:
            raise StaleError(stale_message(current), "lists.stale")
        return _event(current, arrow.action, by, expected, arrow.target, reason)


def return_list(application_list: ApplicationList, by: Any, expected: str, reason: str) -> ListEvent:
    """The Kasi (a submitted list) or the Kabid (a verified one) returns the list to the admin as a draft, with a
    required reason. PermissionDenied outside the role, StaleError when the list moved on, ListError otherwise."""
    perm = RETURN_PERM.get(expected)
    if perm is None:
        if not (by.has_perm("lists.check_list") or by.has_perm("lists.approve_list")):
            raise PermissionDenied
        raise ListError(_("Only a list waiting for the Kasi or the Kabid can be returned."), "lists.wrong_state")
    if not by.has_perm(perm):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ListError(_("Write why the list goes back, so the admin knows what to fix."), "lists.reason")
    with transaction.atomic():
        current = ApplicationList.objects.select_for_update().get(pk=application_list.pk)
        moved = ApplicationList.objects.filter(pk=current.pk, state=expected).update(state=State.DRAFT)
        if moved != 1:
            raise StaleError(stale_message(current), "lists.stale")
        return _event(current, Action.RETURNED, by, expected, State.DRAFT, reason)


def can_return(application_list: ApplicationList, user: Any) -> bool:
    perm = RETURN_PERM.get(application_list.state)
    return perm is not None and user.has_perm(perm)
