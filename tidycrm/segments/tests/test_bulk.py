"""Bulk actions: exact reports, audit and events, visibility, segments frozen at request time."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from tidycrm.audit.models import ChangeRecord
from tidycrm.contacts.models import Contact
from tidycrm.core import events
from tidycrm.core.exceptions import PermissionDenied, ValidationFailed
from tidycrm.lists.models import ListMembership
from tidycrm.lists.services import create_list
from tidycrm.segments.models import BulkActionItem
from tidycrm.segments.services.bulk import request_bulk_action, run_bulk_action
from tidycrm.segments.services.segments import create_segment
from tidycrm.segments.tests.conftest import client_for, post
from tidycrm.tags.selectors import tag_names_for

pytestmark = pytest.mark.django_db


def ids(people: dict[str, Any], *names: str) -> list[int]:
    return [people[n].pk for n in names]


def changes_of(contact: Any) -> list[dict[str, Any]]:
    content_type = ContentType.objects.get_for_model(Contact)
    return list(
        ChangeRecord.objects.filter(content_type=content_type, object_id=contact.pk)
        .order_by("id")
        .values_list("changes", flat=True)
    )


def test_tag_reports_exactly_audits_and_bumps_versions(
    admin: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    seen: list[Any] = []
    events.subscribe("contact.updated", seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            done = request_bulk_action(
                kind="tag",
                params={"tags": ["VIP", "webinar"]},
                target={"ids": [*ids(people, "ada", "alan"), 999_999]},
                actor=admin,
                channel="api",
            )
    finally:
        events.unsubscribe("contact.updated", seen.append)
    action = done.action
    assert not done.queued and action.status == "done"
    assert action.requested == 2  # the unknown id never made it into the target
    assert action.result == {"changed": 2, "unchanged": 0, "missing": 0}
    ada = Contact.objects.get(pk=people["ada"].pk)
    assert sorted(tag_names_for([ada])[ada.pk]) == ["vip", "webinar"]
    assert ada.version == people["ada"].version + 1
    assert changes_of(ada)[-1] == {"tags": {"before": ["vip"], "after": ["vip", "webinar"]}}
    assert {e.payload["id"] for e in seen} == set(ids(people, "ada", "alan"))

    again = request_bulk_action(
        kind="tag",
        params={"tags": ["webinar"]},
        target={"ids": ids(people, "ada")},
        actor=admin,
        channel="api",
    )
    assert again.action.result == {"changed": 0, "unchanged": 1, "missing": 0}


def test_untag_change_owner_and_set_fields(admin: Any, people: Any) -> None:
    target = {"ids": ids(people, "ada", "grace")}
    untag = request_bulk_action(
        kind="untag", params={"tags": ["vip"]}, target=target, actor=admin, channel="ui"
    )
    assert untag.action.result["changed"] == 2
    owner = request_bulk_action(
        kind="change_owner", params={"owner_id": admin.pk}, target=target, actor=admin, channel="ui"
    )
    assert owner.action.result["changed"] == 2
    assert set(Contact.objects.filter(pk__in=target["ids"]).values_list("owner_id", flat=True)) == {
        admin.pk
    }
    stage = request_bulk_action(
        kind="set_field",
        params={"field": "lifecycle_stage", "value": "customer"},
        target=target,
        actor=admin,
        channel="ui",
    )
    assert stage.action.result == {"changed": 0, "unchanged": 2, "missing": 0}
    nps = request_bulk_action(
        kind="set_field",
        params={"field": "custom.nps", "value": "7"},
        target=target,
        actor=admin,
        channel="ui",
    )
    assert nps.action.result["changed"] == 2
    ada = Contact.objects.get(pk=people["ada"].pk)
    assert ada.custom_fields == {"nps": 7, "plan": "pro"}
    assert changes_of(ada)[-1] == {"custom_fields.nps": {"before": 9, "after": 7}}


@pytest.mark.parametrize(
    ("kind", "params", "field"),
    [
        ("tag", {"tags": []}, "params.tags"),
        ("set_field", {"field": "notes", "value": "x"}, "params.field"),
        ("set_field", {"field": "custom.nps", "value": "many"}, "params.value"),
        ("change_owner", {"owner_id": 123456}, "params.owner_id"),
        ("add_to_list", {"list_id": "first"}, "params.list_id"),
    ],
)
def test_bad_parameters_name_the_field(
    admin: Any, people: Any, kind: str, params: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        request_bulk_action(
            kind=kind, params=params, target={"ids": ids(people, "ada")}, actor=admin, channel="api"
        )
    assert field in caught.value.field_errors


def test_lists_and_delete_with_confirmation(admin: Any, people: Any) -> None:
    contact_list = create_list(name="Course 2026", actor=admin, channel="ui")
    added = request_bulk_action(
        kind="add_to_list",
        params={"list_id": contact_list.pk},
        target={"ids": ids(people, "ada", "alan")},
        actor=admin,
        channel="ui",
    )
    assert added.action.result["changed"] == 2
    assert ListMembership.objects.filter(contact_list=contact_list).count() == 2
    with pytest.raises(ValidationFailed) as caught:
        request_bulk_action(
            kind="delete", params={}, target={"list_id": contact_list.pk}, actor=admin, channel="ui"
        )
    assert "confirm" in caught.value.field_errors
    deleted = request_bulk_action(
        kind="delete",
        params={},
        target={"list_id": contact_list.pk},
        actor=admin,
        channel="ui",
        confirm=True,
    )
    assert deleted.action.result == {"changed": 2, "unchanged": 0, "missing": 0}
    assert not Contact.objects.filter(pk__in=ids(people, "ada", "alan")).exists()
    content_type = ContentType.objects.get_for_model(Contact)
    record = ChangeRecord.objects.get(
        content_type=content_type, object_id=people["ada"].pk, action="delete"
    )
    assert record.changes["display_name"]["before"] == "Ada Lovelace"
    assert record.source == {"bulk_action": deleted.action.pk}


def test_sales_user_acts_only_on_what_they_see_and_cannot_delete(people: Any) -> None:
    seller = people["seller"]
    done = request_bulk_action(
        kind="tag",
        params={"tags": ["mine"]},
        target={"ids": ids(people, "ada", "grace")},
        actor=seller,
        channel="api",
    )
    assert done.action.requested == 1  # Grace belongs to someone else
    with pytest.raises(PermissionDenied):
        request_bulk_action(
            kind="delete",
            params={},
            target={"ids": ids(people, "ada")},
            actor=seller,
            channel="api",
            confirm=True,
        )


@pytest.mark.django_db(transaction=True)
def test_a_segment_is_fixed_at_request_time_and_big_actions_run_as_a_job(
    admin: Any, people: Any
) -> None:
    segment = create_segment(
        name="GB", filter={"field": "country", "op": "eq", "value": "GB"}, actor=admin, channel="ui"
    )
    requested = request_bulk_action(
        kind="tag",
        params={"tags": ["uk"]},
        target={"segment_id": segment.pk},
        actor=admin,
        channel="api",
        inline_limit=1,
    )
    assert requested.queued and requested.action.requested == 2
    # While it waits, one member leaves the segment and another is deleted.
    Contact.objects.filter(pk=people["alan"].pk).update(country="FR")
    Contact.objects.filter(pk=people["ada"].pk).delete()
    call_command("db_worker", "--batch", "--no-startup-delay")
    action = requested.action
    action.refresh_from_db()
    assert action.status == "done", action.error
    # Alan was a member when asked: tagged. Ada is gone: reported missing.
    assert action.result == {"changed": 1, "unchanged": 0, "missing": 1}
    alan = Contact.objects.get(pk=people["alan"].pk)
    assert tag_names_for([alan])[alan.pk] == ["uk"]
    assert action.job is not None and action.job.status == "succeeded"
    assert BulkActionItem.objects.filter(action=action).count() == 2
    assert run_bulk_action(action.pk).result == action.result  # running again changes nothing


def test_bulk_api_and_export(admin: Any, people: Any) -> None:
    api = client_for(admin)
    response = post(
        api,
        "/api/v1/bulk-actions",
        {"kind": "export", "target": {"filter": {"field": "tag", "op": "has", "value": "vip"}}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["requested"] == 2 and body["export_url"]
    csv_text = b"".join(api.get(body["export_url"]).streaming_content).decode()
    assert "Ada" in csv_text and "Grace" in csv_text and "Alan" not in csv_text
    bad = post(
        api, "/api/v1/bulk-actions", {"kind": "tag", "params": {"tags": ["x"]}, "target": {}}
    )
    assert bad.status_code == 422 and "target" in bad.json()["errors"]
    assert api.get(f"/api/v1/bulk-actions/{body['id']}").json()["kind"] == "export"
    other = client_for(people["seller"])
    assert other.get(f"/api/v1/bulk-actions/{body['id']}").status_code == 404


def test_a_misspelt_list_parameter_is_refused_not_widened(admin: Any, people: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        request_bulk_action(
            kind="tag",
            params={"tags": ["x"]},
            target={"query": {"lifecyle_stage": "lead"}},
            actor=admin,
            channel="api",
        )
    assert "target.query.lifecyle_stage" in caught.value.field_errors
    done = request_bulk_action(
        kind="tag",
        params={"tags": ["x"]},
        target={"query": {"lifecycle_stage": "lead"}},
        actor=admin,
        channel="api",
    )
    assert done.action.requested == 1
