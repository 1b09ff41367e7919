"""Display helpers for records: permissions, phone numbers, countries, audit values."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
import pycountry
from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def can(user: Any, permission: str) -> bool:
    """`{% if request.user|can:"edit" %}`: whether the user's role allows it."""
    check = getattr(user, "has_role_permission", None)
    return bool(check and user.is_authenticated and check(permission))


_CONTACT_REF = re.compile(r"\bcontact (\d{1,18})\b")


@register.filter
def link_records(message: Any) -> SafeString:
    """Escape a message, then turn "contact 12" into a link to that contact's page."""

    def link(match: re.Match[str]) -> str:
        try:
            url = reverse("contacts:detail", args=[int(match.group(1))])
        except NoReverseMatch:
            return match.group(0)
        return f'<a href="{url}">{match.group(0)}</a>'

    return mark_safe(_CONTACT_REF.sub(link, str(escape(message))))  # noqa: S308 - escaped first


@register.filter
def http_url(value: Any) -> str:
    """The value when it is an http(s) address, else "": never link to javascript: and co."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else ""


@register.filter
def phone_national(phone: Any) -> str:
    """The number as dialled inside its own country, e.g. "020 7946 0958"."""
    e164 = getattr(phone, "e164", "") or ""
    if not e164:
        return str(getattr(phone, "raw", "") or "")
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    extension = getattr(phone, "extension", "")
    return f"{text} ext. {extension}" if extension else text


@register.filter
def phone_region(phone: Any) -> str:
    e164 = getattr(phone, "e164", "") or ""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164, None)) or ""
    except phonenumbers.NumberParseException:
        return ""


@register.filter
def country_name(code: str | None) -> str:
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


@register.filter
def field_label(name: str) -> str:
    """ "lead_status" -> "Lead status"; "custom_fields" -> "Custom fields"."""
    text = str(name).removesuffix("_id").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


@register.filter
def audit_value(value: Any) -> str:
    """A stored before/after value as readable text; empty values show as a dash."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(audit_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {audit_value(v)}" for k, v in value.items())
    return str(value)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def yesno_value(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
