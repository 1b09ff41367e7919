"""Activities, the timeline, notifications and calendar links over the REST API."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from tidycrm.accounts.api import current_user
from tidycrm.accounts.choices import Permission
from tidycrm.accounts.services import require
from tidycrm.activities.choices import StaleScope
from tidycrm.activities.models import (
    Activity,
    ActivityCompany,
    ActivityContact,
    ActivityDeal,
    StaleRule,
)
from tidycrm.activities.schemas import (
    ActivityIn,
    ActivityListQuery,
    ActivityOut,
    ActivityPage,
    ActivityPatch,
    AlertSettingsIn,
    AlertSettingsOut,
    CalendarLinkOut,
    CompleteIn,
    ImportResultOut,
    NotificationPage,
    NotificationQuery,
    OutcomeOut,
    ReadIn,
    ReadOut,
    RecordType,
    TimelinePageOut,
    TimelineQuery,
)
from tidycrm.activities.selectors import (
    active_outcomes,
    alert_settings,
    get_activity,
    get_record,
    notifications_for,
    unread_count,
    visible_activities,
)
from tidycrm.activities.services import (
    complete_task,
    delete_activity,
    log_activity,
    update_activity,
)
from tidycrm.activities.services.calendar import (
    import_ics,
    issue_calendar_token,
    revoke_calendar_tokens,
)
from tidycrm.activities.services.notify import mark_read
from tidycrm.activities.services.settings import save_alert_settings
from tidycrm.audit.choices import Channel
from tidycrm.core.api import RecordId, errors
from tidycrm.core.pagination import paginate
from tidycrm.records.timeline import Query as TimelineFilter
from tidycrm.records.timeline import timeline_page

router = Router(tags=["activities"])


def _with_links(activities: list[Activity]) -> None:
    prefetch_related_objects(
        activities,
        Prefetch(
            "contact_links", queryset=ActivityContact.objects.only("activity_id", "contact_id")
        ),
        Prefetch(
            "company_links", queryset=ActivityCompany.objects.only("activity_id", "company_id")
        ),
        Prefetch("deal_links", queryset=ActivityDeal.objects.only("activity_id", "deal_id")),
        "attendees",
        "outcome",
    )


def activity_out(a: Activity) -> dict[str, Any]:
    plain = {name: getattr(a, name) for name in ActivityOut.model_fields if hasattr(a, name)}
    return {
        **plain,
        "outcome": a.outcome.name if a.outcome else None,
        "attendee_ids": [u.pk for u in a.attendees.all()],
        "contact_ids": [link.contact_id for link in a.contact_links.all()],
        "company_ids": [link.company_id for link in a.company_links.all()],
        "deal_ids": [link.deal_id for link in a.deal_links.all()],
    }


def _one(activity: Activity) -> dict[str, Any]:
    fresh = Activity.objects.get(pk=activity.pk)
    _with_links([fresh])
    return activity_out(fresh)


@router.get("/activities", response={200: ActivityPage, **errors()}, summary="List activities")
def list_activities(request: HttpRequest, filters: Query[ActivityListQuery]) -> dict[str, Any]:
    """Activities you can see, newest first, one keyset page at a time (follow `next_cursor`)."""
    queryset = visible_activities(current_user(request))
    simple = {
        "kind": filters.kind,
        "owner_id": filters.owner_id,
        "assignee_id": filters.assignee_id,
    }
    queryset = queryset.filter(**{k: v for k, v in simple.items() if v is not None})
    for model, column, value in (
        (ActivityContact, "contact_id", filters.contact_id),
        (ActivityCompany, "company_id", filters.company_id),
        (ActivityDeal, "deal_id", filters.deal_id),
    ):
        if value is not None:
            linked: Any = model.objects.filter(**{column: value}).values("activity_id")
            queryset = queryset.filter(pk__in=linked)
    if filters.open_tasks is not None:
        queryset = queryset.filter(kind="task", completed_at__isnull=filters.open_tasks)
    if filters.occurred_after is not None:
        queryset = queryset.filter(occurred_at__gte=filters.occurred_after)
    if filters.occurred_before is not None:
        queryset = queryset.filter(occurred_at__lt=filters.occurred_before)
    if filters.due_before is not None:
        queryset = queryset.filter(due_at__lt=filters.due_before)
    page = paginate(queryset, ["-occurred_at", "-id"], filters.limit, filters.cursor)
    _with_links(page.items)
    return {
        "items": [activity_out(a) for a in page.items],
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


@router.post("/activities", response={201: ActivityOut, **errors(403)}, summary="Log an activity")
def create_activity(request: HttpRequest, payload: ActivityIn) -> Status[dict[str, Any]]:
    """Log a call, e-mail, conversation, meeting, note or task, linked to contacts, companies and
    deals you can see."""
    activity = log_activity(payload.to_service(), actor=current_user(request), channel=Channel.API)
    return Status(201, _one(activity))


@router.get(
    "/activities/{activity_id}",
    response={200: ActivityOut, **errors(404)},
    summary="Get an activity",
)
def read_activity(request: HttpRequest, activity_id: RecordId) -> dict[str, Any]:
    return _one(get_activity(current_user(request), activity_id))


@router.patch(
    "/activities/{activity_id}",
    response={200: ActivityOut, **errors(403, 404, 409)},
    summary="Change an activity",
)
def patch_activity(
    request: HttpRequest, activity_id: RecordId, payload: ActivityPatch
) -> dict[str, Any]:
    user = current_user(request)
    activity = get_activity(user, activity_id)
    changed = update_activity(
        activity,
        payload.to_service(),
        actor=user,
        channel=Channel.API,
        expected_version=payload.version,
    )
    return _one(changed)


@router.post(
    "/activities/{activity_id}/complete",
    response={200: ActivityOut, **errors(403, 404, 409)},
    summary="Complete (or reopen) a task",
)
def complete_activity(
    request: HttpRequest, activity_id: RecordId, payload: CompleteIn
) -> dict[str, Any]:
    user = current_user(request)
    task = complete_task(
        get_activity(user, activity_id),
        actor=user,
        channel=Channel.API,
        done=payload.done,
        expected_version=payload.version,
    )
    return _one(task)


@router.delete(
    "/activities/{activity_id}",
    response={204: None, **errors(403, 404)},
    summary="Delete an activity",
)
def remove_activity(request: HttpRequest, activity_id: RecordId) -> Status[None]:
    user = current_user(request)
    delete_activity(get_activity(user, activity_id), actor=user, channel=Channel.API)
    return Status(204, None)


@router.get(
    "/activity-outcomes",
    response={200: list[OutcomeOut], **errors()},
    summary="Call and meeting outcomes",
)
def list_outcomes(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": o.pk, "kind": o.kind, "name": o.name, "is_connected": o.is_connected}
        for o in active_outcomes()
    ]


@router.get(
    "/timeline/{record_type}/{record_id}",
    response={200: TimelinePageOut, **errors(404)},
    summary="A record's timeline",
)
def record_timeline(
    request: HttpRequest, record_type: RecordType, record_id: RecordId, params: Query[TimelineQuery]
) -> dict[str, Any]:
    """Activities, stage changes and field changes of a contact, company or deal, newest first."""
    user = current_user(request)
    get_record(user, record_type, record_id)
    query = TimelineFilter(
        kinds=frozenset(params.kind) if params.kind else None,
        since=params.since,
        until=params.until,
    )
    page = timeline_page(
        record_type, record_id, user, query=query, cursor=params.cursor, limit=params.limit
    )
    return {"items": page.entries, "next_cursor": page.next_cursor}


@router.get(
    "/notifications", response={200: NotificationPage, **errors()}, summary="Your notifications"
)
def list_notifications(request: HttpRequest, params: Query[NotificationQuery]) -> dict[str, Any]:
    user = current_user(request)
    queryset = notifications_for(user)
    if params.unread is not None:
        queryset = queryset.filter(read_at__isnull=params.unread)
    page = paginate(queryset, ["-created_at", "-id"], params.limit, params.cursor)
    return {
        "items": page.items,
        "unread": unread_count(user),
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


@router.post(
    "/notifications/read", response={200: ReadOut, **errors()}, summary="Mark notifications read"
)
def read_notifications(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    return {"marked": mark_read(current_user(request), payload.ids)}


@router.post(
    "/calendar/link",
    response={201: CalendarLinkOut, **errors()},
    summary="Create your calendar feed link",
)
def create_calendar_link(request: HttpRequest) -> Status[dict[str, str]]:
    """A new secret iCalendar feed URL of your meetings and tasks; earlier links stop working."""
    secret = issue_calendar_token(current_user(request))
    url = request.build_absolute_uri(reverse("activities:calendar_feed", args=[secret]))
    return Status(201, {"url": url})


@router.delete(
    "/calendar/link", response={204: None, **errors()}, summary="Revoke your calendar feed link"
)
def revoke_calendar_link(request: HttpRequest) -> Status[None]:
    revoke_calendar_tokens(current_user(request))
    return Status(204, None)


@router.post(
    "/calendar/import",
    response={200: ImportResultOut, **errors(403)},
    summary="Import an .ics file as meetings",
)
def import_calendar(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Each event becomes a meeting of yours; an event imported before (same UID) is updated."""
    result = import_ics(file.read(), actor=current_user(request), channel=Channel.API)
    return {"created": result.created, "updated": result.updated, "skipped": result.skipped}


def _settings_out() -> dict[str, Any]:
    current = alert_settings()
    rules = StaleRule.objects.filter(is_active=True).order_by("pk")
    return {
        "lead_sla_minutes": current.lead_sla_minutes,
        "due_soon_hours": current.due_soon_hours,
        "lifecycle": [
            {"stage": r.lifecycle_stage, "days": r.days}
            for r in rules
            if r.scope == StaleScope.LIFECYCLE
        ],
        "pipeline_stages": [
            {"stage_id": r.stage_id, "days": r.days}
            for r in rules
            if r.scope == StaleScope.DEAL_STAGE
        ],
    }


@router.get(
    "/alert-settings", response={200: AlertSettingsOut, **errors(403)}, summary="Alert settings"
)
def read_alert_settings(request: HttpRequest) -> dict[str, Any]:
    """Stale-record rules (days without a touch per lifecycle or pipeline stage), lead SLA."""
    require(current_user(request), Permission.MANAGE_SETTINGS)
    return _settings_out()


@router.put(
    "/alert-settings",
    response={200: AlertSettingsOut, **errors(403)},
    summary="Change alert settings",
)
def change_alert_settings(request: HttpRequest, payload: AlertSettingsIn) -> dict[str, Any]:
    save_alert_settings(
        actor=current_user(request),
        channel=Channel.API,
        lifecycle_days={r.stage.value: r.days for r in payload.lifecycle},
        stage_days={r.stage_id: r.days for r in payload.pipeline_stages},
        lead_sla_minutes=payload.lead_sla_minutes,
        due_soon_hours=payload.due_soon_hours,
    )
    return _settings_out()
