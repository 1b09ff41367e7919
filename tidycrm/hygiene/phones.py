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


def standardise_phone(raw: str, default_region: str | None = None) -> Standardised[str]:
    """Return E.164 as value; extras carry extension, national/international display and type."""
    text = clean(raw)
    if not text:
        return Standardised(raw=raw, value=None, problems=["is empty."])
    try:
        number = phonenumbers.parse(text, (default_region or "").upper() or None)
    except NumberParseException as exc:
        return Standardised(raw=raw, value=None, problems=[f"is not a phone number ({exc._msg})."])
    if not phonenumbers.is_valid_number(number):
        return Standardised(raw=raw, value=None, problems=["is not a valid phone number."])
    return Standardised(
        raw=raw,
        value=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        extras={
            "extension": number.extension or "",
            "national": phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
            "international": phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
            "type": _TYPE_NAMES.get(phonenumbers.number_type(number), "unknown"),
            "national_number": str(number.national_number),
            "region": phonenumbers.region_code_for_number(number) or "",
        },
    )


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
