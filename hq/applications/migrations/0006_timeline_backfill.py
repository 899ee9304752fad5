"""The timeline of the applications made before it existed (issue 21 point 6), from what their rows kept: submitted,
verified or rejected (the reason), each correction requested / answered / answered by the applicant / resolved,
put on a list and the list's steps, the SPT's recording date, the record received. No mail is sent for them.
An application that has events already is left as it is."""

from django.db import migrations

LIST_KINDS = {"submitted": ("list_submitted", "admin"), "verified": ("list_verified", "kasi_pendataan"),
              "approved": ("list_approved", "kabid_dafduk"), "spt_issued": ("spt_issued", "kasubbag_umum")}
RETURNED_BY = {"submitted": "kasi_pendataan", "verified": "kabid_dafduk"}


def _list_events(application, spts, list_events, event):
    """The events of the lists holding `application`: put on it, then each step the applicant is shown."""
    made = []
    for application_list in application.lists.all():
        made.append(event("listed", application_list.created_at, "admin"))
        spt = spts.objects.filter(application_list=application_list).first()
        for e in list_events.objects.filter(application_list=application_list).order_by("at", "id"):
            if e.action == "returned":
                made.append(event("list_returned", e.at, RETURNED_BY.get(e.from_state, ""), by=e.by_id))
            elif e.action in LIST_KINDS:
                kind, role = LIST_KINDS[e.action]
                note = ""
                if kind == "spt_issued" and spt is not None:
                    note = (f"Perekaman di sekolah Anda pada {spt.recording_date:%d-%m-%Y}; bawa kode QR atau nomor "
                            "permohonan Anda.")
                made.append(event(kind, e.at, role, by=e.by_id, note=note))
    return made


def backfill(apps, schema_editor):
    applications = apps.get_model("applications", "Application")
    events = apps.get_model("applications", "ApplicationEvent")
    spts, list_events = apps.get_model("lists", "Spt"), apps.get_model("lists", "ListEvent")
    schools = set(apps.get_model("applications", "SchoolAccount").objects.values_list("user_id", flat=True))
    for application in applications.objects.filter(events__isnull=True).iterator():
        def event(kind, at, role, by=None, note="", a=application):
            return events(application=a, kind=kind, at=at, role=role, by_id=by, note=note)

        made = [event("submitted", application.submitted_at,
                      "school" if application.applicant_id in schools else "student", by=application.applicant_id)]
        if application.decided_at and application.state in ("verified", "rejected"):
            made.append(event(application.state, application.decided_at, "admin", by=application.decided_by_id,
                              note=application.decision_note if application.state == "rejected" else ""))
        for c in application.corrections.all():
            made.append(event("correction_requested", c.opened_at, "admin", by=c.opened_by_id, note=c.problem))
            if c.answered_at:
                made.append(event("correction_answered", c.answered_at, "admin", by=c.answered_by_id,
                                  note=f"{c.problem}\n{c.solution}"))
            for r in c.replies.all():
                made.append(event("correction_replied", r.at, "student", by=r.by_id, note=r.text))
            if c.resolved_at:
                made.append(event("correction_resolved", c.resolved_at, "admin", by=c.resolved_by_id))
        made += _list_events(application, spts, list_events, event)
        if application.recorded_at:
            made.append(event("recorded", application.recorded_at, "station"))
        events.objects.bulk_create(sorted(made, key=lambda e: e.at))


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0005_timeline_events"),
        ("lists", "0002_spt_officer_letter"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
