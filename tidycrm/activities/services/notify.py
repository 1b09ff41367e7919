"""Notifications: in-app rows, each sent once by e-mail when SMTP is configured.

A producer names every notification with a `key` unique per user ("task_due:12:2026-05-04...");
inserting the same key again does nothing. So a periodic check may run twice (a restart, two
workers) and still notify once. The e-mail is claimed (`emailed_at` set) before it is sent, so
it goes out at most once too.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from tidycrm.accounts.models import User
from tidycrm.activities.models import Notification

logger = logging.getLogger(__name__)
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


def notify(
    user: User,
    *,
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    attachments: Sequence[Attachment] = (),
) -> Notification | None:
    """Create the notification unless `user` already has one with `key`; None if it existed."""
    if not user.is_active:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, kind=kind, key=key[:200], title=title[:255], body=body, url=url[:500]
            )
    except IntegrityError:
        return None
    if user.email:
        pk = notification.pk
        transaction.on_commit(lambda: send_email(pk, attachments), robust=True)
    return notification


def mail_connection() -> BaseEmailBackend | None:
    """The mail backend to send with, or None when e-mail is off.

    In order: the default of Django's MAILERS when the settings define them; SMTP when
    EMAIL_HOST is set in the environment (with EMAIL_PORT, EMAIL_HOST_USER,
    EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL); else a non-SMTP EMAIL_BACKEND (console,
    file, the tests' memory backend). Django's unconfigured SMTP default to localhost is off.
    """
    if hasattr(settings, "MAILERS"):
        return mailers.default if "default" in mailers else None
    host = os.environ.get("EMAIL_HOST", "")
    if host:
        use_ssl = os.environ.get("EMAIL_USE_SSL") == "1"
        return SmtpBackend(
            host=host,
            port=int(os.environ.get("EMAIL_PORT") or (465 if use_ssl else 587)),
            username=os.environ.get("EMAIL_HOST_USER", ""),
            password=os.environ.get("EMAIL_HOST_PASSWORD", ""),
            use_tls=not use_ssl and os.environ.get("EMAIL_USE_TLS", "1") == "1",
            use_ssl=use_ssl,
            timeout=15,
        )
    backend = getattr(settings, "EMAIL_BACKEND", SMTP_BACKEND)
    return None if backend == SMTP_BACKEND else import_string(backend)()


def sender() -> str:
    return os.environ.get("DEFAULT_FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL


def send_email(notification_id: int, attachments: Sequence[Attachment] = ()) -> bool:
    """Send one notification by e-mail, at most once; False if off, claimed or failed."""
    connection = mail_connection()
    if connection is None:
        return False
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    body = notification.body
    if notification.url:
        base = os.environ.get("TIDYCRM_BASE_URL", "").rstrip("/")
        body = f"{body}\n\n{base}{notification.url}".strip()
    message = EmailMessage(
        subject=notification.title, body=body, from_email=sender(), to=[notification.user.email]
    )
    for item in attachments:
        message.attach(item.filename, item.content, item.mimetype)
    try:
        connection.send_messages([message])
    except Exception:
        # Mail trouble must not break the check that notified; the in-app row stays.
        logger.exception("could not e-mail notification %s", notification_id)
        return False
    return True


def mark_read(user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None)."""
    unread = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
