"""Phone numbers: E.164 with extension, parsed with a default region."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from tidycrm.hygiene.result import Standardised
from tidycrm.hygiene.text import clean

_TYPE_NAMES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
}


def standardise_phone(
    raw: str, default_region: str | None = None, *, display: bool = True
) -> Standardised[str]:
    """Return E.164 as value; extras carry extension, national number and type, and with
    `display` the national and international forms and the number's region (the bulk door
    stores none of these, and formatting costs as much as parsing)."""
    text = clean(raw)
    if not text:
        return Standardised(raw=raw, value=None, problems=["is empty."])
    number: phonenumbers.PhoneNumber | None = None
    kind = PhoneNumberType.UNKNOWN
    try:
        number = phonenumbers.parse(text, (default_region or "").upper() or None)
        # is_valid_number is exactly "the number's type is known" (both match the national
        # number against the region's patterns): ask once for the type instead of twice.
        kind = phonenumbers.number_type(number)
    except NumberParseException as exc:
        problem = f"is not a phone number ({exc._msg})."
    else:
        problem = "is not a valid phone number."
    if kind == PhoneNumberType.UNKNOWN and text.startswith("00"):
        # "0082 2 212 3456" is written everywhere, though only some countries dial 00 abroad.
        number, kind = _as_international(text[2:], number, kind)
    if number is None or kind == PhoneNumberType.UNKNOWN:
        return Standardised(raw=raw, value=None, problems=[problem])
    extras = {
        "extension": number.extension or "",
        "type": _TYPE_NAMES.get(kind, "unknown"),
        "national_number": str(number.national_number),
    }
    if display:
        extras["national"] = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        extras["international"] = phonenumbers.format_number(
            number, PhoneNumberFormat.INTERNATIONAL
        )
        extras["region"] = phonenumbers.region_code_for_number(number) or ""
    return Standardised(
        raw=raw, value=phonenumbers.format_number(number, PhoneNumberFormat.E164), extras=extras
    )


def _as_international(
    rest: str, number: phonenumbers.PhoneNumber | None, kind: int
) -> tuple[phonenumbers.PhoneNumber | None, int]:
    """The number read as "+" and `rest`, when that is a valid number; else as it was."""
    try:
        other = phonenumbers.parse("+" + rest, None)
    except NumberParseException:
        return number, kind
    other_kind = phonenumbers.number_type(other)
    return (other, other_kind) if other_kind != PhoneNumberType.UNKNOWN else (number, kind)


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
