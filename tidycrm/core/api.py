"""Pieces every API router shares: the error body, declared error responses, safe text types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field

from tidycrm.core.models import AddressBase, Label, PhoneBase

# Largest primary key either database accepts (64-bit signed); bigger ids are 422, not 500.
MAX_ID = 2**63 - 1


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


# What each status means, shown in the OpenAPI description of every operation that can return it.
ERROR_MEANINGS = {
    400: "Malformed request: unparsable body, bad cursor, or NUL characters.",
    401: "Missing, invalid or revoked credentials.",
    403: "Your role does not allow this, or the CSRF check failed for a session request.",
    404: "The record does not exist or you cannot see it.",
    409: "Conflict: a stale version, or a uniqueness rule such as external_id.",
    422: "A field's value is not acceptable; `errors` names each field.",
}


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """Response declarations for the error statuses an operation can return.

    400, 401 and 422 can happen on every authenticated operation (middleware, auth, parsing).
    """
    return {code: ErrorOut for code in sorted({400, 401, 422, *codes})}


def _safe_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("contains characters that are not valid Unicode.") from exc
    return value


# Text refuses NUL and lone surrogates; give each field its model's limit with MaxLen(n).
Text = Annotated[str, AfterValidator(_safe_text)]


def _safe_json(value: Any) -> Any:
    if isinstance(value, str):
        _safe_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _safe_json(key)
            _safe_json(item)
    elif isinstance(value, list):
        for item in value:
            _safe_json(item)
    return value


# Free-form JSON (custom field values), held to the same text rules at any depth.
SafeJson = Annotated[Any, AfterValidator(_safe_json)]


RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _blank_to_none(value: Any) -> Any:
    return None if value == "" else value


# A choice that may be cleared: null (or, leniently, "") clears it.
BlankIsNone = BeforeValidator(_blank_to_none)

# The sort orders every record list offers (tidycrm.records.filtering.SORTS).
SortOrder = Literal["name", "-name", "created", "-created", "updated", "-updated"]


def _in_utc_range(value: datetime) -> datetime:
    """Filters compare in UTC; a moment whose UTC form leaves the calendar is a field error."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("is outside the supported date range.") from exc


FilterDateTime = Annotated[datetime, AfterValidator(_in_utc_range)]


class InputSchema(Schema):
    """Request bodies: unknown fields are an error naming the field, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


def field_errors_from_ninja(errors_list: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Turn ninja/pydantic error locations into the dotted field names the services use.

    ("body", "payload", "emails", 0, "address") -> "emails.0.address"; ("query", "limit") ->
    "limit".
    """
    found: dict[str, list[str]] = {}
    for error in errors_list:
        # Drop the tags pydantic adds for union members, e.g. "str-enum[Size]" or "literal['']".
        loc = [str(part) for part in error.get("loc", ()) if "[" not in str(part)]
        if loc and loc[0] == "body":
            loc = loc[2:]  # drop "body" and the parameter's name; nothing left means the body
        elif loc and loc[0] in {"query", "path", "header", "cookie", "form"}:
            loc = loc[1:]
        name = ".".join(loc) or "__all__"
        message = str(error.get("msg", "is not valid."))
        if error.get("type") == "extra_forbidden":
            message = "is not a field of this record."
        elif error.get("type") == "missing":
            message = "is required."
        message = message.removeprefix("Value error, ")
        if message not in found.setdefault(name, []):
            found[name].append(message)
    return found


class HistoryQuery(Schema):
    cursor: Annotated[Text, MaxLen(1000)] | None = Field(
        None, description="next_cursor or previous_cursor of a page."
    )
    limit: int = Field(50, ge=1, le=200)


def filterset_data(params: Schema, *, exclude: set[str]) -> dict[str, str]:
    """Validated query parameters as the plain strings a django-filter FilterSet expects."""
    dumped = params.model_dump(mode="json", exclude=exclude, exclude_none=True)
    return {name: str(value) for name, value in dumped.items()}


class PhoneIn(InputSchema):
    number: Annotated[Text, MaxLen(64)] = Field(
        description="As typed; '+49 30 1234567 ext. 12' keeps the extension."
    )
    label: Label = Label.WORK
    is_primary: bool = False


class AddressIn(InputSchema):
    street: Annotated[Text, MaxLen(255)] = ""
    street2: Annotated[Text, MaxLen(255)] = ""
    city: Annotated[Text, MaxLen(120)] = ""
    region: Annotated[Text, MaxLen(120)] = ""
    postal_code: Annotated[Text, MaxLen(20)] = ""
    country: Annotated[Text, MaxLen(64)] = Field(
        "", description="ISO code or English name; stored as ISO 3166-1 alpha-2."
    )
    label: Label = Label.WORK
    is_primary: bool = False


class PhoneOut(Schema):
    label: str
    raw: str = Field(description="As entered.")
    e164: str = Field(description="Standard international form, e.g. +493012345678.")
    extension: str
    number_type: str = Field(default="", description="mobile, fixed, toll_free, ... or empty.")
    is_primary: bool


class AddressOut(Schema):
    label: str
    street: str
    street2: str
    city: str
    region: str
    postal_code: str
    country: str
    raw: dict[str, Any] = Field(description="The parts as entered.")
    is_primary: bool


def phone_out(phone: PhoneBase) -> dict[str, Any]:
    return {
        "label": phone.label,
        "raw": phone.raw,
        "e164": phone.e164,
        "extension": phone.extension,
        "number_type": phone.number_type,
        "is_primary": phone.is_primary,
    }


def address_out(address: AddressBase) -> dict[str, Any]:
    return {
        "label": address.label,
        "street": address.street,
        "street2": address.street2,
        "city": address.city,
        "region": address.region,
        "postal_code": address.postal_code,
        "country": address.country,
        "raw": address.raw or {},
        "is_primary": address.is_primary,
    }
