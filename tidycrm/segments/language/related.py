"""Related records as conditions on a contact: deals and activities (tickets join here later).

Each related type registers its own fields (for the `where` of a condition) and one RELATED
field on the contact that says how its records point at a contact. A ticket type would add
`register("ticket", ...)` and `FieldSpec("tickets", ..., related=Related("ticket", Ticket,
"contact"))`: "more than 3 support tickets" is then `{"field": "tickets", "op": "count_gte",
"value": 4}` with no change to the compiler.
"""

from __future__ import annotations

from tidycrm.activities.choices import Direction
from tidycrm.activities.choices import Kind as ActivityKind
from tidycrm.activities.models import Activity
from tidycrm.deals.choices import DealSource, DealStatus
from tidycrm.deals.models import Deal
from tidycrm.segments.language.registry import FieldSpec, Kind, Related, register

DEAL_FIELDS = (
    FieldSpec("name", "Deal name", Kind.TEXT, group="Deal"),
    FieldSpec("amount", "Amount", Kind.NUMBER, group="Deal"),
    FieldSpec("currency", "Currency (ISO code)", Kind.TEXT, group="Deal"),
    FieldSpec("status", "Status", Kind.CHOICE, group="Deal", choices=tuple(DealStatus.choices)),
    FieldSpec("source", "Source", Kind.CHOICE, group="Deal", choices=tuple(DealSource.choices)),
    FieldSpec("pipeline", "Pipeline (id)", Kind.REFERENCE, group="Deal", column="pipeline_id"),
    FieldSpec("stage", "Stage (id)", Kind.REFERENCE, group="Deal", column="stage_id"),
    FieldSpec(
        "owner", "Owner (user id)", Kind.REFERENCE, group="Deal", column="owner_id", nullable=True
    ),
    FieldSpec("expected_close_date", "Expected close", Kind.DATE, group="Deal", nullable=True),
    FieldSpec("closed_at", "Closed", Kind.DATETIME, group="Deal", nullable=True),
    FieldSpec("created_at", "Created", Kind.DATETIME, group="Deal"),
)

ACTIVITY_FIELDS = (
    FieldSpec("kind", "Kind", Kind.CHOICE, group="Activity", choices=tuple(ActivityKind.choices)),
    FieldSpec("subject", "Subject", Kind.TEXT, group="Activity"),
    FieldSpec("occurred_at", "When", Kind.DATETIME, group="Activity"),
    FieldSpec(
        "direction", "Direction", Kind.CHOICE, group="Activity", choices=tuple(Direction.choices)
    ),
    FieldSpec("location", "Location", Kind.TEXT, group="Activity"),
    FieldSpec("completed_at", "Completed", Kind.DATETIME, group="Activity", nullable=True),
    FieldSpec(
        "owner",
        "Owner (user id)",
        Kind.REFERENCE,
        group="Activity",
        column="owner_id",
        nullable=True,
    ),
)

CONTACT_RELATIONS = (
    FieldSpec(
        "deals",
        "Deals",
        Kind.RELATED,
        group="Related records",
        related=Related("deal", Deal, "deal_contacts__contact"),
        help='e.g. has an open deal over 10,000: op "exists", where status = open and '
        "amount > 10000.",
    ),
    FieldSpec(
        "activities",
        "Activities",
        Kind.RELATED,
        group="Related records",
        related=Related("activity", Activity, "contact_links__contact"),
        help='e.g. no activity in 60 days: op "not_exists", where occurred_at in_last_days 60; '
        "attended an event: a meeting activity with its subject.",
    ),
)


def register_related_fields() -> None:
    register("deal", *DEAL_FIELDS)
    register("activity", *ACTIVITY_FIELDS)
    register("contact", *CONTACT_RELATIONS)
