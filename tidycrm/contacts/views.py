"""Contact pages: list with search, filters, sorting and keyset paging; detail; form; history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.services import require
from tidycrm.accounts.views import AuthedRequest
from tidycrm.audit.selectors import history_for
from tidycrm.companies.selectors import visible_companies
from tidycrm.contacts import duplicates
from tidycrm.contacts.filters import ContactFilter
from tidycrm.contacts.forms import ContactForm
from tidycrm.contacts.models import Contact
from tidycrm.contacts.selectors import (
    for_list,
    get_contact,
    list_page_related,
    visible_contacts,
)
from tidycrm.contacts.services import delete_contact, save_contact, standardise
from tidycrm.core.exceptions import DomainError, PermissionDenied
from tidycrm.core.views import domain_errors
from tidycrm.customfields.choices import RecordType
from tidycrm.customfields.selectors import definitions_for
from tidycrm.records.forms import AddressFormSet, address_initial, address_rows
from tidycrm.records.history import readable
from tidycrm.records.pages import (
    RecordList,
    announce_saved,
    record_delete,
    record_history,
    record_list,
    show_refusal,
)
from tidycrm.tags.selectors import tag_names_for

COLUMNS = {
    "email": "E-mail",
    "phone": "Phone",
    "company": "Company",
    "job_title": "Job title",
    "lifecycle_stage": "Stage",
    "lead_status": "Lead status",
    "owner": "Owner",
    "city": "City",
    "country": "Country",
    "tags": "Tags",
    "created": "Created",
    "updated": "Updated",
}
DEFAULT_COLUMNS = ["email", "phone", "company", "lifecycle_stage", "owner"]
HISTORY_ON_DETAIL = 10


LIST = RecordList("contacts", "contacts/list.html", COLUMNS, DEFAULT_COLUMNS)


def _decorate(contacts: list[Contact], columns: list[str]) -> None:
    list_page_related(contacts)
    tags = tag_names_for(contacts) if "tags" in columns else {}
    for contact in contacts:
        contact.tag_names = tags.get(contact.pk, [])  # type: ignore[attr-defined]


@login_required
@domain_errors
def contact_list(request: AuthedRequest) -> HttpResponse:
    filterset = ContactFilter(request.GET or None, queryset=visible_contacts(request.user))
    return record_list(request, LIST, filterset, prepare=for_list, decorate=_decorate)


@login_required
@domain_errors
def contact_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = get_contact(request.user, pk)
    definitions = definitions_for(RecordType.CONTACT)
    values = contact.custom_fields or {}
    context = {
        "contact": contact,
        "custom_fields": [(d, values.get(d.key)) for d in definitions],
        "tags": tag_names_for([contact]).get(contact.pk, []),
        "history": readable(history_for(contact)[: HISTORY_ON_DETAIL + 1]),
        "history_limit": HISTORY_ON_DETAIL,
    }
    return render(request, "contacts/detail.html", context)


@login_required
@domain_errors
def contact_history(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = get_contact(request.user, pk)
    return record_history(
        request, contact, name="contact", template="contacts/history.html", url="contacts:history"
    )


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def contact_create(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.EDIT)
    return _edit(request, None)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def contact_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = get_contact(request.user, pk)
    require(request.user, Permission.EDIT)
    return _edit(request, contact)


def _edit(request: AuthedRequest, contact: Contact | None) -> HttpResponse:
    definitions = definitions_for(RecordType.CONTACT)
    if request.method == "POST":
        form = ContactForm(request.POST, definitions=definitions)
        addresses = AddressFormSet(request.POST, prefix="addresses")
        into = request.POST.get("add_to", "")
        if form.is_valid() and addresses.is_valid() and contact is None and into.isdigit():
            saved = _add_to_existing(request, form, addresses, get_contact(request.user, int(into)))
            if saved is not None:
                return redirect("contacts:detail", pk=saved.pk)
        elif form.is_valid() and addresses.is_valid():
            saved = _save(request, form, addresses, contact)
            if saved is not None:
                return redirect("contacts:detail", pk=saved.pk)
    elif contact is None:
        form = ContactForm(definitions=definitions, initial={"lifecycle_stage": "lead"})
        addresses = AddressFormSet(prefix="addresses")
    else:
        form = ContactForm(
            definitions=definitions, initial=ContactForm.initial_for(contact, definitions)
        )
        addresses = AddressFormSet(
            prefix="addresses", initial=address_initial(contact.addresses.all())
        )
    context = {"form": form, "addresses": addresses, "contact": contact}
    return render(request, "contacts/form.html", context, status=400 if form.errors else 200)


def _save(
    request: AuthedRequest, form: ContactForm, addresses: Any, contact: Contact | None
) -> Contact | None:
    """Run the door; on refusal put its errors on the form and return None."""
    data = form.to_data(creating=contact is None)
    data["addresses"] = address_rows(addresses)
    current = {
        a.company_id: {"job_title": a.job_title, "is_current": a.is_current}
        for a in (contact.affiliations.all() if contact else [])
    }
    companies = form.resolve_companies(visible_companies(request.user), current)
    if companies is None:
        # Still show every other problem at once, without saving anything.
        draft = standardise(data, actor=request.user, instance=contact, channel="ui")
        form.add_door_errors(draft.errors, addresses)
        return None
    data["companies"] = companies
    try:
        result = save_contact(
            data,
            actor=request.user,
            channel="ui",
            contact=contact,
            expected_version=form.cleaned_data.get("version") if contact else None,
        )
    except PermissionDenied:
        raise
    except duplicates.DuplicateFound as exc:
        # Shown above the form with links to open the contact or add these details to it.
        form.duplicates = [f for f in exc.findings if f.visible]  # type: ignore[attr-defined]
        form.add_error(None, "This looks like a contact you already have.")
        return None
    except DomainError as exc:
        show_refusal(form, exc, addresses)
        return None
    announce_saved(request, result.record.display_name, result.warnings)
    return result.record


def _add_to_existing(
    request: AuthedRequest, form: ContactForm, addresses: Any, existing: Contact
) -> Contact | None:
    """A refused duplicate's details go onto the contact it duplicates (blanks filled, new
    e-mails and phones added), through the door like any edit."""
    require(request.user, Permission.EDIT)
    data = form.to_data(creating=True)
    data["addresses"] = address_rows(addresses)
    update = duplicates.into_existing(existing, data)
    try:
        if update:
            save_contact(update, actor=request.user, channel="ui", contact=existing)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None
    messages.success(request, f"Added the details to {existing.display_name}.")
    return existing


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def contact_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    return record_delete(
        request,
        get_contact(request.user, pk),
        name="contact",
        delete=delete_contact,
        template="contacts/delete.html",
        list_url="contacts:list",
    )


@login_required
@domain_errors
@require_http_methods(["POST"])
def contact_preview(request: AuthedRequest) -> HttpResponse:
    """What the door would store for the form as it stands (htmx, on change); writes nothing."""
    contact_id = request.POST.get("contact_id", "")
    contact = get_contact(request.user, int(contact_id)) if contact_id.isdigit() else None
    form = ContactForm(request.POST, definitions=definitions_for(RecordType.CONTACT))
    addresses: Any = AddressFormSet(request.POST, prefix="addresses")
    context: dict[str, Any] = {"form_errors": False}
    if not form.is_valid() or not addresses.is_valid():
        context["form_errors"] = True
    else:
        data = form.to_data(creating=contact is None)
        data["addresses"] = address_rows(addresses)
        draft = standardise(data, actor=request.user, instance=contact, channel="ui")
        context["draft"] = draft
        context["errors"] = sorted(draft.errors.items())
    return render(request, "contacts/partials/preview.html", context)
