"""Keyset pagination: pages follow an index, so page 10,000 costs what page 1 costs."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Model, Q, QuerySet

from tidycrm.core.exceptions import DomainError


class BadCursor(DomainError):
    status_code = 400


@dataclass(frozen=True)
class Page[M: Model]:
    items: list[M]
    next_cursor: str | None
    previous_cursor: str | None


# Cursors are signed, and the signature covers the sort fields: a cursor that was edited, or
# carried over to another sort order, is a clear 400 instead of a query on mistyped values.
DEFAULT_FIELDS = ("sort_key", "id")


def _signer(fields: Sequence[str]) -> signing.Signer:
    return signing.Signer(salt="tidycrm.cursor:" + ",".join(fields))


def encode_cursor(
    values: list[Any], backwards: bool = False, fields: Sequence[str] = DEFAULT_FIELDS
) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps({"v": plain, "b": backwards}, separators=(",", ":"), default=str)
    return _signer(fields).sign(base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))


def decode_cursor(cursor: str, fields: Sequence[str] = DEFAULT_FIELDS) -> tuple[list[Any], bool]:
    try:
        payload = _signer(fields).unsign(cursor)
        padded = payload + "=" * (-len(payload) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        values, backwards = data["v"], bool(data.get("b", False))
        if not isinstance(values, list):
            raise TypeError
    except signing.BadSignature as exc:
        raise BadCursor(
            "cursor: not a cursor this server issued for this list and sort order."
        ) from exc
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadCursor("cursor: not a cursor this server issued.") from exc
    return values, backwards


def _after(fields: list[str], values: list[Any], descending: list[bool]) -> Q:
    """Rows strictly after `values` in the (possibly mixed-direction) ordering of `fields`.

    The leading bound (`a >= x` before `a > x OR (a = x AND ...)`) is redundant logically but lets
    both databases start the index scan at the cursor instead of filtering from the first row.
    """
    condition = Q()
    for i in range(len(fields) - 1, -1, -1):
        op = "lt" if descending[i] else "gt"
        step = Q(**{f"{fields[i]}__{op}": values[i]})
        if i < len(fields) - 1:
            step |= Q(**{fields[i]: values[i]}) & condition
        condition = step
    if len(fields) > 1:
        bound = "lte" if descending[0] else "gte"
        condition = Q(**{f"{fields[0]}__{bound}": values[0]}) & condition
    return condition


def paginate[M: Model](
    queryset: QuerySet[M], ordering: list[str], limit: int, cursor: str | None = None
) -> Page[M]:
    """Page through `queryset` by `ordering` (its last field must be unique, e.g. "id")."""
    fields = [name.lstrip("-") for name in ordering]
    descending = [name.startswith("-") for name in ordering]
    backwards = False
    qs = queryset
    if cursor:
        values, backwards = decode_cursor(cursor, fields)
        if len(values) != len(fields):
            raise BadCursor("cursor: does not match this list's sort order.")
        if backwards:
            flipped = [not d for d in descending]
            qs = qs.filter(_after(fields, values, flipped))
        else:
            qs = qs.filter(_after(fields, values, descending))
    order = [("-" if d != backwards else "") + f for f, d in zip(fields, descending, strict=True)]
    rows = list(qs.order_by(*order)[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()

    def key(row: M) -> list[Any]:
        return [getattr(row, f) for f in fields]

    next_cursor = previous_cursor = None
    if rows:
        if has_more or backwards:
            next_cursor = encode_cursor(key(rows[-1]), fields=fields)
        if cursor and (not backwards or has_more):
            previous_cursor = encode_cursor(key(rows[0]), backwards=True, fields=fields)
    return Page(items=rows, next_cursor=next_cursor, previous_cursor=previous_cursor)
