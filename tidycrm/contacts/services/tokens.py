"""Search tokens of a contact: what the token table holds so that search walks an index."""

from __future__ import annotations

from collections.abc import Sequence

from tidycrm.contacts.models import (
    Contact,
    ContactSearchToken,
)
from tidycrm.contacts.selectors import REVERSED_PHONE_MARK
from tidycrm.records import steps


def contact_tokens(
    names: Sequence[str], emails: Sequence[str], phones: Sequence[tuple[str, str]]
) -> list[str]:
    """The tokens a contact is found by: names, e-mail parts, phone digits (national and E.164)
    and the national number reversed, so "the last four digits" is a prefix search too."""
    texts = list(names)
    for address in emails:
        local = address.partition("@")[0]
        texts += [
            address.replace("@", " ").replace(".", " "),
            address.replace(".", "").replace("@", ""),
            local,
        ]
    for national, e164 in phones:
        texts += [national, e164.lstrip("+")]
    reversed_digits = [REVERSED_PHONE_MARK + national[::-1] for national, _ in phones if national]
    return steps.search_tokens(texts) + reversed_digits


def _tokens(contact: Contact) -> list[str]:
    companies = list(contact.affiliations.values_list("company__name", flat=True))
    return contact_tokens(
        [
            contact.display_name,
            contact.given_name,
            contact.middle_name,
            contact.family_name,
            contact.external_id,
            *companies,
        ],
        list(contact.emails.values_list("address", flat=True)),
        list(contact.phones.values_list("national_number", "e164")),
    )


def refresh_search_tokens(contact: Contact) -> None:
    steps.refresh_tokens(ContactSearchToken, "contact", contact, _tokens(contact))
