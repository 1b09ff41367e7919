"""Contacts over the REST API: thin operations that parse, call the door or a selector, render."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from ninja import Query, Router, Status

from tidycrm.accounts.api import current_user
from tidycrm.audit.choices import Channel
from tidycrm.audit.schemas import ChangePage, history_page
from tidycrm.contacts.filters import ContactFilter
from tidycrm.contacts.models import Affiliation, Contact
from tidycrm.contacts.schemas import (
    ContactIn,
    ContactListQuery,
    ContactOut,
    ContactPage,
    ContactPatch,
    ContactPreview,
    ContactSaved,
)
from tidycrm.contacts.selectors import get_contact, visible_contacts
from tidycrm.contacts.services import delete_contact, save_contact, standardise
from tidycrm.core.api import (
    HistoryQuery,
    RecordId,
    address_out,
    errors,
    filterset_data,
    phone_out,
)
from tidycrm.core.door import Draft, SaveResult
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.core.pagination import paginate
from tidycrm.customfields.choices import RecordType
from tidycrm.records.filtering import custom_field_filter, ordering_for
from tidycrm.tags.selectors import tag_names_for

router = Router(tags=["contacts"])

RELATED = (
    "emails",
    "phones",
    "addresses",
    Prefetch(
        "affiliations",
        queryset=Affiliation.objects.select_related("company").only(
            "id",
            "contact_id",
            "company_id",
            "job_title",
            "is_current",
            "is_primary",
            "company__id",
            "company__name",
        ),
    ),
)


def _with_related(contacts: list[Contact]) -> dict[int, list[str]]:
    """Load the collections and tags of a page of contacts in a fixed number of queries."""
    prefetch_related_objects(contacts, *RELATED)
    return tag_names_for(contacts)


def contact_out(contact: Contact, tags: list[str]) -> dict[str, Any]:
    plain = {
        name: getattr(contact, name) for name in ContactOut.model_fields if hasattr(contact, name)
    }
    return {
        **plain,
        "total_spend": f"{contact.total_spend:.2f}",
        "tags": tags,
        "emails": [
            {"label": e.label, "raw": e.raw, "address": e.address, "is_primary": e.is_primary}
            for e in contact.emails.all()
        ],
        "phones": [phone_out(p) for p in contact.phones.all()],
        "addresses": [address_out(a) for a in contact.addresses.all()],
        "companies": [
            {
                "company_id": a.company_id,
                "company_name": a.company.name,
                "job_title": a.job_title,
                "is_current": a.is_current,
                "is_primary": a.is_primary,
            }
            for a in contact.affiliations.all()
        ],
    }


def _saved(result: SaveResult[Contact]) -> dict[str, Any]:
    tags = _with_related([result.record])
    return {
        **contact_out(result.record, tags.get(result.record.pk, [])),
        "warnings": result.warnings,
    }


@router.get("", response={200: ContactPage, **errors()}, summary="List contacts")
def list_contacts(request: HttpRequest, filters: Query[ContactListQuery]) -> dict[str, Any]:
    """Contacts you can see, filtered and sorted, one keyset page at a time.

    Follow `next_cursor` / `previous_cursor` with the same filters and sort. There is no total
    count: counting millions of rows on every page would make every page slow.
    """
    ordering = ordering_for(filters.sort)
    filterset = ContactFilter(
        data=filterset_data(filters, exclude={"sort", "cursor", "limit", "cf"}),
        queryset=visible_contacts(current_user(request)),
    )
    if not filterset.is_valid():
        raise ValidationFailed({name: list(msgs) for name, msgs in filterset.errors.items()})
    queryset = filterset.qs
    if filters.cf:
        queryset = custom_field_filter(queryset, RecordType.CONTACT, filters.cf)
    page = paginate(queryset, ordering, filters.limit, filters.cursor)
    tags = _with_related(page.items)
    return {
        "items": [contact_out(c, tags.get(c.pk, [])) for c in page.items],
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


@router.post("", response={201: ContactSaved, **errors(403, 409)}, summary="Create a contact")
def create_contact(request: HttpRequest, payload: ContactIn) -> Status[dict[str, Any]]:
    """Create a contact through the door: cleaned, validated and checked for duplicates.

    Possible duplicates come back in `warnings`.
    """
    result = save_contact(payload.to_door(), actor=current_user(request), channel=Channel.API)
    return Status(201, _saved(result))


@router.post(
    "/standardise",
    response={200: ContactPreview, **errors()},
    summary="Preview how the door would store a contact",
)
def standardise_contact(request: HttpRequest, payload: ContactIn) -> dict[str, Any]:
    """Run the door's standardise and validate steps on a contact (same body as create) and
    return the standard values, field errors and warnings. Nothing is written."""
    draft = standardise(payload.to_door(), actor=current_user(request), channel=Channel.API)
    return preview_out(draft)


def preview_out(draft: Draft) -> dict[str, Any]:
    fields = {k: v for k, v in draft.fields.items() if k != "data_flags"}
    return {
        "fields": fields,
        "emails": draft.children.get("emails", []),
        "phones": draft.children.get("phones", []),
        "addresses": draft.children.get("addresses", []),
        "data_flags": draft.fields.get("data_flags", {}),
        "errors": draft.errors,
        "warnings": draft.warnings,
    }


@router.get("/{contact_id}", response={200: ContactOut, **errors(404)}, summary="Get a contact")
def read_contact(request: HttpRequest, contact_id: RecordId) -> dict[str, Any]:
    contact = get_contact(current_user(request), contact_id)
    return contact_out(contact, tag_names_for([contact]).get(contact.pk, []))


@router.patch(
    "/{contact_id}",
    response={200: ContactSaved, **errors(403, 404, 409)},
    summary="Change a contact",
)
def update_contact(
    request: HttpRequest, contact_id: RecordId, payload: ContactPatch
) -> dict[str, Any]:
    """Change only the fields sent. Send `version` to refuse to overwrite a newer edit (409)."""
    user = current_user(request)
    contact = get_contact(user, contact_id)
    result = save_contact(
        payload.to_door(),
        actor=user,
        channel=Channel.API,
        contact=contact,
        expected_version=payload.version,
    )
    return _saved(result)


@router.delete(
    "/{contact_id}", response={204: None, **errors(403, 404)}, summary="Delete a contact"
)
def remove_contact(request: HttpRequest, contact_id: RecordId) -> Status[None]:
    user = current_user(request)
    delete_contact(get_contact(user, contact_id), actor=user, channel=Channel.API)
    return Status(204, None)


@router.get(
    "/{contact_id}/history", response={200: ChangePage, **errors(404)}, summary="Contact history"
)
def contact_history(
    request: HttpRequest, contact_id: RecordId, params: Query[HistoryQuery]
) -> dict[str, Any]:
    """Field-level changes, newest first: who, when, through which channel, before and after."""
    contact = get_contact(current_user(request), contact_id)
    return history_page(contact, params.limit, params.cursor)
