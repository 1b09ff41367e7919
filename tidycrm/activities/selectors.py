"""Reads of activities and notifications, always scoped to what the user may see."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from tidycrm.accounts.choices import Visibility
from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visibility_filter, visible
from tidycrm.activities.choices import Kind
from tidycrm.activities.models import (
    Activity,
    ActivityContact,
    AlertSettings,
    CalendarToken,
    Notification,
    Outcome,
)
from tidycrm.companies.selectors import get_company
from tidycrm.contacts.models import Affiliation
from tidycrm.contacts.selectors import get_contact
from tidycrm.core.exceptions import NotFound
from tidycrm.deals.models import Deal


def activity_access(user: User) -> Q:
    """Activities the user may see: by ownership as every owned record, plus tasks assigned
    to them and meetings they attend."""
    if not user.is_active:
        return Q(pk__in=[])
    if user.visibility == Visibility.ALL:
        return Q()
    mine = Activity.attendees.through.objects.filter(user_id=user.pk).values("activity_id")
    return visibility_filter(user) | Q(assignee_id=user.pk) | Q(pk__in=mine)


def visible_activities(user: User) -> QuerySet[Activity]:
    return Activity.objects.filter(activity_access(user))


def get_activity(user: User, activity_id: int) -> Activity:
    activity = (
        visible_activities(user)
        .select_related("owner", "assignee", "outcome", "completed_by")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        raise NotFound(f"Activity {activity_id} does not exist or you cannot see it.")
    return activity


def active_outcomes(kind: str | None = None) -> QuerySet[Outcome]:
    outcomes = Outcome.objects.filter(is_active=True)
    return outcomes.filter(kind=kind) if kind else outcomes


def open_tasks_for(user: User) -> QuerySet[Activity]:
    """The user's open tasks, soonest due first (undated last); reads the open-tasks index."""
    return (
        Activity.objects.filter(kind=Kind.TASK, completed_at__isnull=True, assignee_id=user.pk)
        .select_related("outcome")
        .order_by("due_at", "id")
    )


def my_day(user: User, now: datetime | None = None) -> dict[str, list[Activity]]:
    """Tasks overdue and due today, other open tasks, and today's meetings (local day)."""
    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    tasks = list(open_tasks_for(user).filter(due_at__lt=end)[:200])
    meetings = (
        visible_activities(user)
        .filter(kind=Kind.MEETING, occurred_at__gte=start, occurred_at__lt=end)
        .filter(Q(owner_id=user.pk) | Q(attendees=user))
        .distinct()
        .order_by("occurred_at", "id")
    )
    return {
        "overdue": [t for t in tasks if t.due_at is not None and t.due_at < now],
        "due_today": [t for t in tasks if t.due_at is not None and t.due_at >= now],
        "meetings": list(meetings[:100]),
        "undated": list(open_tasks_for(user).filter(due_at__isnull=True)[:50]),
    }


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user.pk)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def alert_settings() -> AlertSettings:
    found = AlertSettings.objects.order_by("pk").first()
    return found or AlertSettings.objects.create()


RECORD_TYPES = ("contact", "company", "deal")


def get_record(user: User, record_type: str, record_id: int) -> Model:
    """A contact, company or deal the user may see (NotFound otherwise)."""
    if record_type == "contact":
        return get_contact(user, record_id)
    if record_type == "company":
        return get_company(user, record_id)
    if record_type == "deal":
        deal = visible(Deal.objects.select_related("company"), user).filter(pk=record_id).first()
        if deal is None:
            raise NotFound(f"Deal {record_id} does not exist or you cannot see it.")
        return deal
    raise NotFound(f"'{record_type}' is not a record type with a timeline.")


def quick_log_links(record_type: str, record: Model) -> dict[str, list[int]]:
    """What an activity logged on a record page links to: the record, and its company."""
    if record_type == "contact":
        company = (
            Affiliation.objects.filter(contact_id=record.pk, is_primary=True)
            .values_list("company_id", flat=True)
            .first()
        )
        return {"contact_ids": [record.pk], "company_ids": [company] if company else []}
    if record_type == "company":
        return {"company_ids": [record.pk]}
    company_id = getattr(record, "company_id", None)
    return {"deal_ids": [record.pk], "company_ids": [company_id] if company_id else []}


def first_activity_at() -> Subquery:
    """For annotating contacts (`OuterRef("pk")`): the moment of their first linked activity
    that happened (open tasks apart). Speed-to-lead is this minus the contact's `created_at`."""
    return Subquery(
        ActivityContact.objects.filter(contact_id=OuterRef("pk"))
        .exclude(activity__kind=Kind.TASK, activity__completed_at__isnull=True)
        .order_by("at")
        .values("at")[:1]
    )


def active_calendar_token(user: User) -> CalendarToken | None:
    """The user's calendar feed token that still works, if any."""
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).first()
