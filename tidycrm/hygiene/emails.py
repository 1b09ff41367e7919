"""E-mail addresses: offline syntax check and a normal form (lower-case domain, IDN handled)."""

from __future__ import annotations

import email_validator
from email_validator import EmailNotValidError, validate_email

from tidycrm.hygiene.result import Standardised
from tidycrm.hygiene.text import clean


def standardise_email(raw: str, *, check_deliverability: bool = False) -> Standardised[str]:
    text = clean(raw)
    if not text:
        return Standardised(raw=raw, value=None, problems=["is empty."])
    try:
        info = validate_email(
            text,
            check_deliverability=check_deliverability,
            allow_smtputf8=True,
            test_environment=email_validator.TEST_ENVIRONMENT,
        )
    except EmailNotValidError as exc:
        return Standardised(raw=raw, value=None, problems=[str(exc)])
    normalised = f"{info.local_part}@{info.domain.lower()}"
    return Standardised(raw=raw, value=normalised, extras={"ascii": info.ascii_email or ""})
