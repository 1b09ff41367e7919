"""Reads of contacts, always scoped to what the user may see."""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visible
from tidycrm.contacts.models import (
    Affiliation,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactSearchToken,
)
from tidycrm.core.exceptions import NotFound
from tidycrm.hygiene.phones import digits
from tidycrm.hygiene.text import tokens

MAX_QUERY_WORDS = 6
# A word prefixing fewer tokens than this is rare enough to pick a search's candidates.
RARE_ENOUGH = 2_000
# Tokens holding a phone's national number reversed start with this mark (never a folded word).
REVERSED_PHONE_MARK = "#"
MIN_PHONE_DIGITS = 4


def visible_contacts(user: User) -> QuerySet[Contact]:
    return visible(Contact.objects.all(), user)


def get_contact(user: User, contact_id: int) -> Contact:
    contact = (
        visible_contacts(user)
        .select_related("owner", "team")
        .prefetch_related(
            "emails",
            "phones",
            "addresses",
            Prefetch("affiliations", queryset=Affiliation.objects.select_related("company")),
        )
        .filter(pk=contact_id)
        .first()
    )
    if contact is None:
        raise NotFound(f"Contact {contact_id} does not exist or you cannot see it.")
    return contact


def search_contacts(queryset: QuerySet[Contact], query: str) -> QuerySet[Contact]:
    """Each word of the query must prefix-match one of the contact's tokens.

    Tokens are folded (case, accents, Turkish dotted/dotless i), so "ışık" finds "IŞIK"; a
    phone typed with spaces or a leading zero matches the national number.
    """
    words = tokens(query)
    phone_digits = digits(query)
    if len(phone_digits) >= MIN_PHONE_DIGITS and _looks_like_phone(query):
        national = phone_digits.lstrip("0") or phone_digits
        reversed_key = REVERSED_PHONE_MARK + phone_digits[::-1]
        # One subquery with the OR inside: PostgreSQL turns it into a BitmapOr on the token index;
        # two OR-ed subqueries made it test both for every contact.
        matching = ContactSearchToken.objects.filter(
            Q(token__gte=national, token__lt=national + "\uffff")
            | Q(token__gte=reversed_key, token__lt=reversed_key + "\uffff")
        )
        return queryset.filter(pk__in=matching.values("contact_id"))
    if "@" in query:
        words = [query.strip().casefold().replace("@", "").replace(".", "")[:64]]
    words = words[:MAX_QUERY_WORDS]
    # PostgreSQL's planner orders the words' sets by its statistics; SQLite's takes them as
    # written, so there the rarest word is found first (counting costs PostgreSQL ~10 ms).
    counting = len(words) > 1 and connection.vendor == "sqlite"
    counts = {word: _token_rows(word) for word in words} if counting else {}
    rarest = min(counts, key=counts.__getitem__) if counts else None
    if rarest is not None and counts[rarest] < RARE_ENOUGH:
        # A rare word picks the few candidates and each other word is checked among a
        # candidate's own tokens: a set per word ("van", "de", "plas") read every contact
        # with a common word (115-370 ms at a million contacts, against 7-9 ms).
        queryset = queryset.filter(pk__in=_prefixed(rarest).values("contact_id"))
        others = [w for w in words if w != rarest]
        for word in others:
            queryset = queryset.filter(Exists(_prefixed(word).filter(contact_id=OuterRef("pk"))))
        return queryset
    # Only common words: the sets of each, intersected (a check per candidate of a common
    # word's thousands of contacts cost ten times more).
    for word in words:
        queryset = queryset.filter(pk__in=_prefixed(word).values("contact_id"))
    return queryset


def _prefixed(word: str) -> QuerySet[ContactSearchToken]:
    return ContactSearchToken.objects.filter(token__gte=word, token__lt=word + "\uffff")


def _token_rows(word: str) -> int:
    """How many tokens a word prefixes, counted up to RARE_ENOUGH (an index range read)."""
    return _prefixed(word).order_by()[:RARE_ENOUGH].count()


def _looks_like_phone(query: str) -> bool:
    """Digits with at most the punctuation people type in phone numbers."""
    return all(ch.isdigit() or ch in " +-()./x" for ch in query.strip())


# What a list row shows and pages by; the rest of a contact (notes, raw input, custom values)
# stays in the database. Owner names only, never the whole user row.
LIST_FIELDS = (
    "id",
    "display_name",
    "sort_key",
    "job_title",
    "lifecycle_stage",
    "lead_status",
    "city",
    "country",
    "created_at",
    "updated_at",
    "owner_id",
    "owner__id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


def for_list(queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    return queryset.select_related("owner").only(*LIST_FIELDS)


def list_page_related(contacts: list[Contact]) -> None:
    """Attach primary e-mail, phone and company to a page of contacts in three queries."""
    ids = [c.pk for c in contacts]
    emails = {
        e.contact_id: e.address
        for e in ContactEmail.objects.filter(contact_id__in=ids, is_primary=True)
    }
    phones = {
        p.contact_id: p for p in ContactPhone.objects.filter(contact_id__in=ids, is_primary=True)
    }
    companies = {
        a.contact_id: a.company
        for a in Affiliation.objects.filter(contact_id__in=ids, is_primary=True)
        .only("contact_id", "company__id", "company__name")
        .select_related("company")
    }
    for contact in contacts:
        contact.primary_email = emails.get(contact.pk, "")  # type: ignore[attr-defined]
        contact.primary_phone = phones.get(contact.pk)  # type: ignore[attr-defined]
        contact.primary_company = companies.get(contact.pk)  # type: ignore[attr-defined]
