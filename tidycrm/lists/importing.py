"""Add contacts to a list from a file of e-mail addresses or external ids.

The file is a CSV (or plain text, one value a line). A header naming `email` or `external_id`
picks that column; without one, each value that contains "@" is an e-mail and any other value an
external id. Every row that names no contact the user can see is reported back with its row
number, so nothing is silently dropped.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tidycrm.accounts.models import User
from tidycrm.audit.choices import Channel
from tidycrm.contacts.models import Contact, ContactEmail
from tidycrm.contacts.selectors import visible_contacts
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.hygiene.text import clean
from tidycrm.lists.models import ContactList
from tidycrm.lists.services import add_members

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_REPORTED = 1000
EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mail address", "mail"}
EXTERNAL_HEADERS = {"external_id", "external id", "externalid", "id"}
CHUNK = 5000


@dataclass
class ImportReport:
    rows: int = 0
    matched: int = 0
    added: int = 0
    already: int = 0
    # (row number, value, reason); the first MAX_REPORTED of them.
    unmatched: list[tuple[int, str, str]] = field(default_factory=list)
    unmatched_count: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "matched": self.matched,
            "added": self.added,
            "already_members": self.already,
            "unmatched_count": self.unmatched_count,
            "unmatched": [{"row": r, "value": v, "reason": why} for r, v, why in self.unmatched],
        }

    def miss(self, row: int, value: str, reason: str) -> None:
        self.unmatched_count += 1
        if len(self.unmatched) < MAX_REPORTED:
            self.unmatched.append((row, value[:200], reason))


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise ValidationFailed({"file": ["is not a text file (it contains NUL bytes)."]})
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed({"file": ["is neither UTF-8 nor Windows-1252 text."]})


def read_values(data: bytes) -> list[tuple[int, str, str]]:
    """(row number, kind "email"/"external_id", value) for each non-empty row of the file."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed({"file": [f"is larger than {MAX_BYTES // 1024 // 1024} MB."]})
    text = _decode(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if len(rows) > MAX_ROWS:
        raise ValidationFailed({"file": [f"has more than {MAX_ROWS:,} rows; split it."]})
    column, kind, start = 0, "", 0
    if rows:
        header = [clean(cell).casefold() for cell in rows[0]]
        for index, name in enumerate(header):
            if name in EMAIL_HEADERS or name in EXTERNAL_HEADERS:
                column, start = index, 1
                kind = "email" if name in EMAIL_HEADERS else "external_id"
                break
    values = []
    for number, row in enumerate(rows[start:], start=start + 1):
        value = clean(row[column]) if column < len(row) else ""
        if value:
            values.append((number, kind or ("email" if "@" in value else "external_id"), value))
    return values


def import_members(
    contact_list: ContactList, data: bytes, *, actor: User, channel: Channel | str
) -> ImportReport:
    values = read_values(data)
    report = ImportReport(rows=len(values))
    visible = visible_contacts(actor)
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    emails = {v.casefold() for _, kind, v in values if kind == "email"}
    externals = {v for _, kind, v in values if kind == "external_id"}
    email_list, external_list = sorted(emails), sorted(externals)
    for start in range(0, len(email_list), CHUNK):
        email_rows = ContactEmail.objects.filter(
            key__in=email_list[start : start + CHUNK], contact__in=visible.values("pk")
        ).values_list("key", "contact_id")
        for key, contact_id in email_rows:
            found[("email", key)].append(contact_id)
    for start in range(0, len(external_list), CHUNK):
        # "<> ''" repeats the unique index's condition: SQLite searches a partial index only
        # when the query states its condition, and would otherwise read every contact.
        chunk = visible.filter(external_id__in=external_list[start : start + CHUNK]).exclude(
            external_id=""
        )
        rows = Contact.objects.filter(pk__in=chunk.values("pk")).values_list("external_id", "pk")
        for external_id, contact_id in rows:
            found[("external_id", external_id)].append(contact_id)
    ids: list[int] = []
    for number, kind, value in values:
        key = value.casefold() if kind == "email" else value
        matches = found.get((kind, key))
        if not matches:
            label = "e-mail address" if kind == "email" else "external id"
            report.miss(number, value, f"no contact you can see has this {label}.")
            continue
        report.matched += 1
        ids += matches
    change = add_members(
        contact_list, ids, actor=actor, channel=channel, source={"list_import": contact_list.pk}
    )
    report.added, report.already = len(change.changed), len(change.unchanged)
    return report
