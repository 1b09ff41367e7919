"""Download a bulk export: its contacts as CSV, through the same rows as the list export."""

from __future__ import annotations

import logging

from django.http import HttpResponse, StreamingHttpResponse

from tidycrm.accounts.models import User
from tidycrm.contacts.selectors import visible_contacts
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.intake.exports import contact_layout, contact_rows
from tidycrm.intake.formats.spreadsheet import csv_lines
from tidycrm.segments.choices import BulkKind
from tidycrm.segments.models import BulkAction, BulkActionItem

logger = logging.getLogger("tidycrm.export")


def export_bulk_action(user: User, action: BulkAction) -> HttpResponse:
    """Stream the action's contacts that the user can still see (formulas neutralised)."""
    if action.kind != BulkKind.EXPORT:
        raise ValidationFailed({"action": ["is not an export."]})
    ids = BulkActionItem.objects.filter(action=action).values("contact_id")
    queryset = visible_contacts(user).filter(pk__in=ids)
    # Exports change no record: logged, not audited (decision 0007).
    logger.info("export bulk action %s by %s", action.pk, user.username)
    layout = contact_layout(queryset)
    response = StreamingHttpResponse(
        csv_lines(layout.header, contact_rows(queryset, layout)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="contacts-{action.pk}.csv"'
    return response  # type: ignore[return-value]
