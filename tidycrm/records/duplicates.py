"""What a door's duplicate check answers, for contacts and companies alike.

The doors (contacts, companies) ask a check that the dedupe app registers when it starts; these
are the plain values that travel between them, so neither door imports dedupe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Field, Model

from tidycrm.core.exceptions import Conflict

OFF, WARN, LINK, BLOCK, MERGE = "off", "warn", "link", "block", "merge"


@dataclass
class Finding:
    """A stored record the draft is likely to be, and why."""

    record_id: int
    probability: float
    reasons: list[str]
    visible: bool = True
    kind: str = "contact"

    @property
    def contact_id(self) -> int:
        return self.record_id

    def message(self) -> str:
        why = "; ".join(self.reasons)
        if not self.visible:
            return f"A {self.kind} you cannot see looks like the same {_what(self.kind)} ({why})."
        return f"Possible duplicate of {self.kind} {self.record_id} ({why})."


def _what(kind: str) -> str:
    return "person" if kind == "contact" else kind


@dataclass
class Verdict:
    action: str = OFF
    findings: list[Finding] = field(default_factory=list)
    # The check's own data per record id (the scored pair with its evidence), for `saved`.
    details: dict[int, Any] = field(default_factory=dict)

    @property
    def messages(self) -> list[str]:
        return [f.message() for f in self.findings]


class DuplicateFound(Conflict):
    """The channel's policy refuses likely duplicates; `findings` names them."""

    def __init__(self, findings: list[Finding]) -> None:
        messages = [f.message() for f in findings]
        super().__init__(" ".join(messages), field_errors={"__all__": messages})
        self.findings = findings


def capped_owners(model: type[Model], owner: str, keys: Sequence[str], cap: int) -> set[int]:
    """Records sharing any of the keys in a match-key table, at most `cap` per key (the
    newest), in one statement whose every branch stops after its cap in the (key, owner) index:
    a switchboard number or an info@ inbox names thousands, and a check must stay cheap."""
    if not keys:
        return set()
    meta = model._meta
    owner_field = meta.get_field(owner)
    assert isinstance(owner_field, Field), owner
    quote = connection.ops.quote_name
    table, column, key = quote(meta.db_table), quote(str(owner_field.column)), quote("key")
    branch = (
        f"SELECT {column} AS c FROM (SELECT {column} FROM {table} WHERE {key} = %s "  # noqa: S608
        f"ORDER BY {column} DESC LIMIT {int(cap)}) AS k{{n}}"
    )
    sql = " UNION ALL ".join(branch.format(n=n) for n in range(len(keys)))
    with connection.cursor() as cursor:
        cursor.execute(sql, list(keys))
        return {row[0] for row in cursor.fetchall()}


def place_changes(children: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """What a draft's phones and addresses change in a matching record (contacts and
    companies alike): the phones (E.164 when known), the primary (else first) address."""
    changes: dict[str, Any] = {}
    if "phones" in children:
        changes["phones"] = tuple(r.get("e164") or r.get("raw", "") for r in children["phones"])
    if "addresses" in children:
        rows = children["addresses"]
        first = next((r for r in rows if r.get("is_primary")), rows[0] if rows else {})
        for part in ("street", "city", "postal_code", "country"):
            changes[part] = first.get(part, "") or ""
    return changes


def in_batches[R](
    model: type[Model], ids: Iterable[int] | None, read: Callable[[list[int]], R], size: int
) -> Iterator[R]:
    """`read` of every record of the model (or of the given ids), `size` ids at a time,
    walking the primary key: a scan's memory holds one batch of rows, not the table."""
    if ids is not None:
        wanted = sorted(ids)
        for start in range(0, len(wanted), size):
            yield read(wanted[start : start + size])
        return
    last = 0
    while True:
        rows = model._default_manager.filter(pk__gt=last).order_by("pk")
        batch = list(rows.values_list("pk", flat=True)[:size])
        if not batch:
            return
        yield read(batch)
        last = batch[-1]
