"""API shapes of activities, notifications, the timeline and calendar links."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from ninja import Schema
from pydantic import ConfigDict, Field

from tidycrm.activities.choices import Direction, Kind, Priority
from tidycrm.activities.services.clean import MAX_DURATION, MAX_LINKS
from tidycrm.contacts.choices import LifecycleStage
from tidycrm.core.api import BlankIsNone, FilterDateTime, InputSchema, RecordId, Text

Ids = Annotated[list[RecordId], MaxLen(MAX_LINKS)]
Moment = FilterDateTime
RecordType = Literal["contact", "company", "deal"]


class ActivityFields(InputSchema):
    subject: Annotated[Text, MaxLen(255)] | None = Field(
        None, description="Empty: a note's first words, else the kind's name."
    )
    body: Annotated[Text, MaxLen(100_000)] | None = Field(
        None, description="Rich text (HTML); unsafe markup is removed."
    )
    occurred_at: Moment | None = Field(None, description="When it happened (a meeting: its start).")
    direction: Annotated[Direction | None, BlankIsNone] = None
    outcome_id: RecordId | None = Field(None, description="From GET /activity-outcomes.")
    duration_seconds: int | None = Field(None, ge=0, le=MAX_DURATION)
    ends_at: Moment | None = None
    location: Annotated[Text, MaxLen(255)] | None = None
    video_url: Annotated[Text, MaxLen(500)] | None = None
    attendee_ids: Ids | None = Field(None, description="Users attending a meeting.")
    due_at: Moment | None = None
    priority: Annotated[Priority | None, BlankIsNone] = None
    assignee_id: RecordId | None = Field(None, description="A task's assignee; default: you.")
    remind_at: Moment | None = None
    owner_id: RecordId | None = None
    contact_ids: Ids | None = None
    company_ids: Ids | None = None
    deal_ids: Ids | None = None

    def to_service(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, exclude={"version"})
        return {k: v.value if hasattr(v, "value") else v for k, v in data.items()}


class ActivityIn(ActivityFields):
    """Log an activity. Fields a kind does not use (a call's `due_at`) are refused."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "call",
                    "subject": "Intro call",
                    "direction": "outbound",
                    "duration_seconds": 420,
                    "contact_ids": [1],
                }
            ]
        },
    )
    kind: Kind


class ActivityPatch(ActivityFields):
    """Change only the fields sent; send `version` to refuse to overwrite a newer edit (409)."""

    version: int | None = Field(None, ge=1, lt=2**31)


class CompleteIn(InputSchema):
    done: bool = Field(True, description="false opens the task again.")
    version: int | None = Field(None, ge=1, lt=2**31)


class ActivityOut(Schema):
    id: int
    kind: str
    subject: str
    body: str = Field(description="Sanitised HTML.")
    occurred_at: datetime
    direction: str
    outcome_id: int | None
    outcome: str | None
    duration_seconds: int | None
    ends_at: datetime | None
    location: str
    video_url: str
    attendee_ids: list[int]
    due_at: datetime | None
    priority: str
    assignee_id: int | None
    remind_at: datetime | None
    completed_at: datetime | None
    completed_by_id: int | None
    owner_id: int | None
    team_id: int | None
    contact_ids: list[int]
    company_ids: list[int]
    deal_ids: list[int]
    version: int
    created_at: datetime
    updated_at: datetime


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None
    previous_cursor: str | None


class ActivityListQuery(Schema):
    kind: Kind | None = None
    owner_id: RecordId | None = None
    assignee_id: RecordId | None = None
    contact_id: RecordId | None = None
    company_id: RecordId | None = None
    deal_id: RecordId | None = None
    open_tasks: bool | None = Field(None, description="true: only tasks not yet done.")
    occurred_after: Moment | None = None
    occurred_before: Moment | None = None
    due_before: Moment | None = None
    cursor: Annotated[Text, MaxLen(1000)] | None = None
    limit: int = Field(50, ge=1, le=200)


class OutcomeOut(Schema):
    id: int
    kind: str
    name: str
    is_connected: bool


class TimelineQuery(Schema):
    kind: list[Annotated[Text, MaxLen(32)]] | None = Field(
        None, description="Kinds to show (repeat the parameter); none: all."
    )
    since: Moment | None = None
    until: Moment | None = None
    cursor: Annotated[Text, MaxLen(1000)] | None = None
    limit: int = Field(50, ge=1, le=200)


class TimelineEntryOut(Schema):
    when: datetime
    source: str
    kind: str
    title: str
    body: str
    body_is_html: bool = Field(description="true: sanitised HTML; false: plain text.")
    url: str
    actor: str


class TimelinePageOut(Schema):
    items: list[TimelineEntryOut]
    next_cursor: str | None


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread: int
    next_cursor: str | None
    previous_cursor: str | None


class NotificationQuery(Schema):
    unread: bool | None = None
    cursor: Annotated[Text, MaxLen(1000)] | None = None
    limit: int = Field(50, ge=1, le=200)


class ReadIn(InputSchema):
    ids: Annotated[list[RecordId], MaxLen(1000)] | None = Field(
        None, description="Notifications to mark read; omit for all unread."
    )


class ReadOut(Schema):
    marked: int


class CalendarLinkOut(Schema):
    url: str = Field(description="Subscribe to it in a calendar app; shown only once.")


class ImportResultOut(Schema):
    created: list[int]
    updated: list[int]
    skipped: list[str]


class LifecycleRule(Schema):
    stage: LifecycleStage
    days: int | None = Field(None, ge=1, le=3650, description="null: no alert for this stage.")


class PipelineStageRule(Schema):
    stage_id: RecordId
    days: int | None = Field(None, ge=1, le=3650, description="null: no alert for this stage.")


class AlertSettingsOut(Schema):
    lead_sla_minutes: int
    due_soon_hours: int
    lifecycle: list[LifecycleRule]
    pipeline_stages: list[PipelineStageRule]


class AlertSettingsIn(InputSchema):
    """Rules not listed stay as they are."""

    lead_sla_minutes: int = Field(ge=1, le=43200)
    due_soon_hours: int = Field(ge=1, le=336)
    lifecycle: Annotated[list[LifecycleRule], MaxLen(50)] = []
    pipeline_stages: Annotated[list[PipelineStageRule], MaxLen(500)] = []
