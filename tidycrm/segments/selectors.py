"""Reads of segments and of the contacts a filter selects, always within the user's visibility."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tidycrm.accounts.models import User
from tidycrm.contacts.models import Contact
from tidycrm.contacts.selectors import visible_contacts
from tidycrm.core.exceptions import NotFound
from tidycrm.segments.language import compile_filter, fields_for
from tidycrm.segments.language.contact_fields import custom_field_specs
from tidycrm.segments.language.registry import FieldSpec
from tidycrm.segments.models import BulkAction, SavedView, Segment, SegmentMember, SegmentSnapshot


def matching_contacts(user: User, node: Any) -> QuerySet[Contact]:
    """Contacts the user can see that match the filter (raises ValidationFailed on a bad one).

    The one entry point for anything that selects contacts by a filter: segments, bulk
    actions, and later campaigns and automation.
    """
    return visible_contacts(user).filter(compile_filter(node, user=user))


def all_matching(node: Any) -> QuerySet[Contact]:
    """Every contact matching the filter, whoever owns it: for stored memberships only."""
    return Contact.objects.filter(compile_filter(node))


def all_segments() -> QuerySet[Segment]:
    return Segment.objects.all()


def get_segment(segment_id: int) -> Segment:
    found = Segment.objects.filter(pk=segment_id).first()
    if found is None:
        raise NotFound(f"Segment {segment_id} does not exist.")
    return found


def stored_members(user: User, segment: Segment) -> QuerySet[Contact]:
    """The members as of the last recompute, that the user can see."""
    ids = SegmentMember.objects.filter(segment=segment).values("contact_id")
    return visible_contacts(user).filter(pk__in=ids)


def snapshots(segment: Segment, limit: int = 20) -> list[SegmentSnapshot]:
    return list(SegmentSnapshot.objects.filter(segment=segment)[:limit])


def field_catalog(record_type: str = "contact") -> list[FieldSpec]:
    """What a filter over `record_type` can test, custom fields included."""
    extra = custom_field_specs() if record_type == "contact" else []
    return fields_for(record_type, extra)


def bulk_actions_of(user: User) -> QuerySet[BulkAction]:
    return BulkAction.objects.filter(created_by=user)


def get_bulk_action(user: User, action_id: int) -> BulkAction:
    found = BulkAction.objects.filter(pk=action_id).select_related("job").first()
    if found is None or (found.created_by_id != user.pk and not user.is_superuser):
        raise NotFound(f"Bulk action {action_id} does not exist or is not yours.")
    return found


def views_for(user: User) -> QuerySet[SavedView]:
    """The user's own saved views and those shared with their team."""
    views = SavedView.objects.filter(owner=user)
    if user.team_id is not None:
        views = views | SavedView.objects.filter(team_id=user.team_id)
    return views.distinct().order_by("name", "id")


def get_view(user: User, view_id: int) -> SavedView:
    found = views_for(user).filter(pk=view_id).first()
    if found is None:
        raise NotFound(f"Saved view {view_id} does not exist or is not shared with you.")
    return found
