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
    try:
        number = phonenumbers.parse(text, (default_region or "").upper() or None)
    except NumberParseException as exc:
        return Standardised(raw=raw, value=None, problems=[f"is not a phone number ({exc._msg})."])
    # is_valid_number is exactly "the number's type is known" (both match the national number
    # against the region's patterns): ask once for the type instead of twice.
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.UNKNOWN:
        return Standardised(raw=raw, value=None, problems=["is not a valid phone number."])
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


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
