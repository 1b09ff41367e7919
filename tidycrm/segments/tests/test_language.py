"""The filter language against a real database: every kind of field, groups, related records,
visibility, and the builder's form encoding."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidycrm.accounts.models import User
from tidycrm.activities.models import Activity, ActivityContact
from tidycrm.contacts.models import Contact
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.deals.models import Deal, DealContact, Pipeline
from tidycrm.lists.services import add_members, create_list
from tidycrm.segments import builder
from tidycrm.segments.selectors import all_matching, matching_contacts

pytestmark = pytest.mark.django_db


def names(queryset: Any) -> set[str]:
    return {c.given_name for c in queryset}


def matching(user: User, node: Any) -> set[str]:
    return names(matching_contacts(user, node))


def deal(contact: Contact, amount: int, status: str, owner: User | None = None) -> Deal:
    pipeline = Pipeline.objects.prefetch_related("stages").first()
    assert pipeline is not None
    stage = next(s for s in pipeline.stages.all() if s.kind == status)
    created = Deal.objects.create(
        name=f"Deal {amount}",
        amount=amount,
        pipeline=pipeline,
        stage=stage,
        status=status,
        owner=owner or contact.owner,
    )
    DealContact.objects.create(deal=created, contact=contact)
    return created


def activity(contact: Contact, kind: str, subject: str, days_ago: int) -> None:
    at = timezone.now() - dt.timedelta(days=days_ago)
    made = Activity.objects.create(kind=kind, subject=subject, occurred_at=at, owner=contact.owner)
    ActivityContact.objects.create(activity=made, contact=contact, at=at)


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"field": "country", "op": "eq", "value": "GB"}, {"Ada", "Alan"}),
        ({"field": "country", "op": "neq", "value": "GB"}, {"Grace"}),
        ({"field": "family_name", "op": "starts_with", "value": "lOVE"}, {"Ada"}),
        ({"field": "display_name", "op": "contains", "value": "ur"}, {"Alan"}),
        ({"field": "email", "op": "ends_with", "value": "@EXAMPLE.org"}, {"Alan"}),
        ({"field": "email", "op": "is_empty"}, {"Grace"}),
        ({"field": "lifecycle_stage", "op": "in", "value": ["lead"]}, {"Alan"}),
        ({"field": "custom.nps", "op": "between", "value": [4, 9]}, {"Ada", "Alan"}),
        ({"field": "custom.nps", "op": "lt", "value": 9.5}, {"Ada", "Alan"}),
        ({"field": "custom.plan", "op": "eq", "value": "pro"}, {"Ada"}),
        ({"field": "custom.plan", "op": "is_empty"}, {"Alan"}),
        ({"field": "tag", "op": "has", "value": "VIP"}, {"Ada", "Grace"}),
        ({"field": "tag", "op": "has_none", "value": ["navy"]}, {"Ada", "Alan"}),
        ({"field": "created_at", "op": "in_last_days", "value": 1}, {"Ada", "Alan", "Grace"}),
        ({"field": "last_activity_at", "op": "is_empty"}, {"Ada", "Alan", "Grace"}),
        (
            {
                "any": [
                    {
                        "all": [
                            {"field": "country", "op": "eq", "value": "GB"},
                            {"field": "custom.nps", "op": "lt", "value": 5},
                        ]
                    },
                    {"field": "tag", "op": "has", "value": "navy"},
                ]
            },
            {"Alan", "Grace"},
        ),
    ],
)
def test_conditions_select_the_right_people(
    admin: User, people: dict[str, Any], node: Any, expected: set[str]
) -> None:
    assert matching(admin, node) == expected


def test_lists_deals_and_activities(admin: User, people: dict[str, Any]) -> None:
    ada, alan, grace = people["ada"], people["alan"], people["grace"]
    course = create_list(name="Course", actor=admin, channel="ui")
    add_members(course, [ada.pk, grace.pk], actor=admin, channel="ui")
    assert matching(admin, {"field": "list", "op": "has", "value": course.pk}) == {"Ada", "Grace"}
    assert matching(admin, {"field": "list", "op": "has_not", "value": course.pk}) == {"Alan"}

    deal(ada, 25_000, "open")
    deal(alan, 5_000, "open")
    deal(grace, 50_000, "won")
    big_open = {
        "field": "deals",
        "op": "exists",
        "where": {
            "all": [
                {"field": "status", "op": "eq", "value": "open"},
                {"field": "amount", "op": "gt", "value": 10_000},
            ]
        },
    }
    assert matching(admin, big_open) == {"Ada"}
    assert matching(admin, {"field": "deals", "op": "not_exists"}) == set()
    assert matching(admin, {"field": "deals", "op": "count_gte", "value": 1}) == {
        "Ada",
        "Alan",
        "Grace",
    }

    activity(ada, "call", "Intro", days_ago=3)
    activity(alan, "meeting", "Berlin Expo", days_ago=90)
    quiet = {
        "field": "activities",
        "op": "not_exists",
        "where": {"field": "occurred_at", "op": "in_last_days", "value": 60},
    }
    assert matching(admin, quiet) == {"Alan", "Grace"}
    attended = {
        "field": "activities",
        "op": "exists",
        "where": {
            "all": [
                {"field": "kind", "op": "eq", "value": "meeting"},
                {"field": "subject", "op": "eq", "value": "berlin expo"},
            ]
        },
    }
    assert matching(admin, attended) == {"Alan"}


def test_related_records_outside_visibility_do_not_count(
    admin: User, people: dict[str, Any]
) -> None:
    seller = people["seller"]
    deal(people["ada"], 20_000, "open", owner=admin)  # Ada is the seller's; the deal is not
    has_deal = {"field": "deals", "op": "exists"}
    assert matching(admin, has_deal) == {"Ada"}
    assert matching(seller, has_deal) == set()
    # Stored memberships are computed over everything.
    assert names(all_matching(has_deal)) == {"Ada"}


def test_filters_never_widen_visibility(people: dict[str, Any]) -> None:
    seller = people["seller"]
    everyone = {
        "any": [
            {"field": "country", "op": "eq", "value": "US"},
            {"field": "country", "op": "neq", "value": "US"},
        ]
    }
    assert matching(seller, everyone) == {"Ada", "Alan"}
    assert matching(seller, {"field": "owner", "op": "eq", "value": people["other"].pk}) == set()


@pytest.mark.parametrize(
    ("node", "path"),
    [
        ("everyone", "filter"),
        ({"all": []}, "filter.all"),
        ({"field": "country", "op": "eq"}, "filter.value"),
        ({"field": "email", "op": "is_empty", "value": "x"}, "filter.value"),
        ({"field": "custom.nps", "op": "between", "value": [9, 1]}, "filter.value"),
        (
            {
                "field": "deals",
                "op": "exists",
                "where": {"field": "colour", "op": "eq", "value": 1},
            },
            "filter.where.field",
        ),
        ({"field": "country", "op": "eq", "value": "GB", "where": {}}, "filter.where"),
        ({"field": "created_at", "op": "before", "value": "yesterday"}, "filter.value"),
        ({"field": "list", "op": "has", "value": 424242}, "filter.value"),
    ],
)
def test_bad_filters_fail_with_their_path(admin: User, people: Any, node: Any, path: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        matching_contacts(admin, node)
    assert path in caught.value.field_errors, caught.value.field_errors


def test_depth_and_size_are_limited(admin: User, people: Any) -> None:
    node: Any = {"field": "country", "op": "eq", "value": "GB"}
    for _ in range(8):
        node = {"all": [node]}
    with pytest.raises(ValidationFailed, match="nested deeper"):
        matching_contacts(admin, node)
    wide = {"any": [{"field": "country", "op": "eq", "value": "GB"}] * 51}
    with pytest.raises(ValidationFailed):
        matching_contacts(admin, wide)


# -- the builder's form encoding (pure) ------------------------------------------------------

conditions = st.fixed_dictionaries(
    {
        "field": st.sampled_from(["country", "city", "lifecycle_stage"]),
        "op": st.sampled_from(["eq", "neq", "contains"]),
        "value": st.text(alphabet="abcXYZ", min_size=1, max_size=8),
    }
)
filters = st.recursive(
    conditions,
    lambda children: st.dictionaries(
        st.sampled_from(["all", "any"]),
        st.lists(children, min_size=1, max_size=3),
        min_size=1,
        max_size=1,
    ),
    max_leaves=8,
)


def _form(node: builder.Node) -> dict[str, str]:
    """What the browser posts for a tree."""
    data: dict[str, str] = {}
    if node.is_group:
        data[f"{node.path}.group"] = node.group
        for child in node.children:
            data.update(_form(child))
    else:
        data.update(
            {
                f"{node.path}.field": node.field,
                f"{node.path}.op": node.op,
                f"{node.path}.value": node.value,
            }
        )
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filters)
def test_builder_round_trips_any_filter(node: Any) -> None:
    tree = builder.from_filter(node)
    back = builder.to_filter(builder.parse(_form(tree)))
    wrapped = node if "all" in node or "any" in node else {"all": [node]}
    assert back == wrapped


def test_builder_adds_and_removes_nodes() -> None:
    tree = builder.parse(
        {"r.group": "any", "r.0.field": "country", "r.0.op": "eq", "r.0.value": "GB"}
    )
    tree = builder.apply(tree, "group:r")
    assert [c.path for c in tree.children] == ["r.0", "r.1"] and tree.children[1].group == "any"
    tree = builder.apply(tree, "remove:r.0")
    assert [c.path for c in tree.children] == ["r.0"] and tree.children[0].is_group
    assert builder.typed_value("contact", "total_spend", "between", "1, 2.5") == [1, 2.5]
