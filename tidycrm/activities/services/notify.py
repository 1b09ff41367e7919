"""Notifications: in-app rows, each sent once by e-mail when SMTP is configured.

A producer names every notification with a `key` unique per user ("task_due:12:2026-05-04...");
inserting the same key again does nothing. So a periodic check may run twice (a restart, two
workers) and still notify once. E-mail goes out from the worker: each notification is claimed
(`emailed_at` set) before it is sent, so it goes out at most once too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.utils import timezone

from tidycrm.accounts.models import User
from tidycrm.activities.choices import NotificationKind
from tidycrm.activities.models import Activity, Notification
from tidycrm.activities.services.calendar import meeting_invitation

logger = logging.getLogger(__name__)
# Older unsent notifications (mail was off, or failing) are not sent late.
PENDING_WINDOW = timedelta(days=1)


def notify(
    user: User,
    *,
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    activity: Activity | None = None,
) -> Notification | None:
    """Create the notification unless `user` already has one with `key`; None if it existed.

    E-mail is not sent here (a slow mail server must not hold up a save): the worker's
    periodic job `send_pending_emails` sends it within a minute."""
    if not user.is_active:
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user=user,
                kind=kind,
                key=key[:200],
                title=title[:255],
                body=body,
                url=url[:500],
                activity=activity,
            )
    except IntegrityError:
        return None


def send_pending_emails(now: datetime) -> dict[str, int]:
    """E-mail the notifications of the last day not yet sent (periodic job)."""
    connection = mail_connection()
    if connection is None:
        return {"sent": 0, "failed": 0}
    pending = Notification.objects.filter(
        emailed_at__isnull=True, created_at__gte=now - PENDING_WINDOW, created_at__lte=now
    ).exclude(user__email="")
    counts = {"sent": 0, "failed": 0}
    for pk in list(pending.order_by("created_at").values_list("pk", flat=True)[:1000]):
        sent = send_email(pk, connection)
        if sent is not None:
            counts["sent" if sent else "failed"] += 1
    return counts


def mail_connection() -> BaseEmailBackend | None:
    """The default mailer of settings.MAILERS, or None when e-mail is off (no default)."""
    return mailers.default if "default" in mailers else None


def send_email(notification_id: int, connection: BaseEmailBackend) -> bool | None:
    """Send one notification by e-mail, at most once: None if another worker claimed it."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return None
    notification = Notification.objects.select_related("user", "activity").get(pk=notification_id)
    body = notification.body
    if notification.url:
        body = f"{body}\n\n{settings.TIDYCRM_BASE_URL}{notification.url}".strip()
    message = EmailMessage(
        subject=notification.title,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.user.email],
    )
    if notification.kind == NotificationKind.MEETING and notification.activity is not None:
        message.attach("invite.ics", meeting_invitation(notification.activity), "text/calendar")
    try:
        connection.send_messages([message])
    except Exception:
        # Mail trouble must not stop the job; the in-app notification stays.
        logger.exception("could not e-mail notification %s", notification_id)
        return False
    return True


def mark_read(user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None)."""
    unread = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
