"""The applicant's e-mail on each timeline event that concerns them (issue 21 point 6), through Django's mail
framework: SMTP in production (SINOPSIS_HQ_SMTP_HOST), the file backend in the demo (HQ's data folder/mail).

The mail is composed inside the change's transaction (the data as committed) and handed, once the transaction
commits (`transaction.on_commit`: a rolled-back change sends nothing), to one background thread, so a slow or
unreachable mail server never holds up the office's page. A mail that cannot be sent is logged (hq.notify) and
the office still has the WhatsApp text on the application's page. At exit the thread finishes what is queued.
"""

import logging
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from hq.applications.models import ApplicationEvent
from hq.applications.timeline import KINDS, message

logger = logging.getLogger("hq.notify")
_sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hq-mail")
_pending: set[Future] = set()


def recipient(event: ApplicationEvent) -> str:
    """The address the applicant gave on the application, else their login's ('' when neither has one)."""
    application = event.application
    return application.email or getattr(application.applicant, "email", "") or ""


def _send(message: EmailMessage, event_id: int) -> None:
    try:
        message.send()
    except Exception:  # any backend's failure: logged, never raised into the office's request
        logger.exception("the applicant's mail for timeline event %s was not sent", event_id)


@receiver(post_save, sender=ApplicationEvent, dispatch_uid="notify.timeline_event")
def after_commit(sender: type, instance: ApplicationEvent, created: bool, **kwargs: Any) -> None:
    """Queue the applicant's mail about a new event of a kind that concerns them for when the current transaction
    commits (none without an address)."""
    event, kind = instance, KINDS.get(instance.kind)
    if not created or kwargs.get("raw") or kind is None or not kind.notify:
        return
    to = recipient(event)
    if not to:
        return
    subject, body = message(event)
    mail = EmailMessage(subject, body, None, [to])

    def hand_over() -> None:
        future = _sender.submit(_send, mail, event.pk)
        _pending.add(future)
        future.add_done_callback(_pending.discard)

    transaction.on_commit(hand_over)


def flush(timeout: float = 30.0) -> None:
    """Wait until every queued mail was handed to the backend (tests, and commands that exit right after)."""
    wait(list(_pending), timeout=timeout)
