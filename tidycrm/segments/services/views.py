"""Saved views of the contacts list: a user's columns, filters and sort, shareable with a team."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tidycrm.accounts.models import User
from tidycrm.contacts.filters import ContactFilter
from tidycrm.contacts.models import Contact
from tidycrm.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from tidycrm.hygiene.text import clean
from tidycrm.records.filtering import SORTS
from tidycrm.segments.models import SavedView

MAX_NAME = 120
# The list's columns (contacts.views.COLUMNS) and filters (ContactFilter), checked here so a
# stored view always opens.
COLUMNS = (
    "email",
    "phone",
    "company",
    "job_title",
    "lifecycle_stage",
    "lead_status",
    "owner",
    "city",
    "country",
    "tags",
    "created",
    "updated",
)


def _checked(fields: dict[str, Any], actor: User) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "name" in fields:
        name = clean(fields["name"] or "")
        if not name or len(name) > MAX_NAME:
            raise ValidationFailed({"name": [f"must be 1 to {MAX_NAME} characters."]})
        cleaned["name"] = name
    if "columns" in fields:
        unknown = [c for c in fields["columns"] if c not in COLUMNS]
        if unknown:
            raise ValidationFailed(
                {"columns": [f"'{unknown[0][:32]}' is not a column; use {', '.join(COLUMNS)}."]}
            )
        cleaned["columns"] = list(dict.fromkeys(fields["columns"]))
    if "filters" in fields:
        filters = {k: v for k, v in fields["filters"].items() if v not in (None, "")}
        known = set(ContactFilter.base_filters)
        unknown = sorted(set(filters) - known)
        if unknown:
            raise ValidationFailed(
                {
                    f"filters.{unknown[0][:40]}": [
                        f"is not a filter; use {', '.join(sorted(known))}."
                    ]
                }
            )
        filterset = ContactFilter(filters, queryset=Contact.objects.none())
        if not filterset.is_valid():
            raise ValidationFailed({f"filters.{k}": list(v) for k, v in filterset.errors.items()})
        cleaned["filters"] = filters
    if "sort" in fields:
        if fields["sort"] not in SORTS:
            raise ValidationFailed({"sort": [f"must be one of {', '.join(SORTS)}."]})
        cleaned["sort"] = fields["sort"]
    if fields.get("team_id") is not None:
        if fields["team_id"] != actor.team_id:
            raise ValidationFailed({"team_id": ["you can share a view only with your own team."]})
        cleaned["team_id"] = fields["team_id"]
    if fields.get("unshare"):
        cleaned["team_id"] = None
    return cleaned


def save_view(fields: dict[str, Any], *, actor: User, view: SavedView | None = None) -> SavedView:
    """Create (view=None) or change one of the actor's own views."""
    if view is not None and view.owner_id != actor.pk:
        raise PermissionDenied("Only its owner may change a saved view.")
    cleaned = _checked(fields, actor)
    if view is None:
        view = SavedView(owner=actor)
    for name, value in cleaned.items():
        setattr(view, name, value)
    view.updated_at = timezone.now()
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError as exc:
        raise Conflict(
            f"name: you already have a view called '{view.name}'.",
            field_errors={"name": ["you already have a view with this name."]},
        ) from exc
    return view


def delete_view(view: SavedView, *, actor: User) -> None:
    if view.owner_id != actor.pk:
        raise PermissionDenied("Only its owner may delete a saved view.")
    view.delete()
