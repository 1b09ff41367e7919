"""Deal services on the real database: defaults, validation, moves, history, audit, events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from tidycrm.audit.models import ChangeRecord
from tidycrm.companies.services import save_company
from tidycrm.contacts.services import save_contact
from tidycrm.core import events
from tidycrm.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from tidycrm.deals.models import Deal, StageChange
from tidycrm.deals.selectors import get_deal, visible_deals
from tidycrm.deals.services import create_deal, delete_deal, move_deal, update_deal

pytestmark = pytest.mark.django_db


def changes_of(deal: Deal) -> list[ChangeRecord]:
    kind = ContentType.objects.get_for_model(Deal)
    return list(ChangeRecord.objects.filter(content_type=kind, object_id=deal.pk).order_by("id"))


def test_create_defaults_to_first_open_stage_actor_and_pipeline_currency(rep, pipeline, stages):
    deal = create_deal({"name": "  Big   order ", "amount": "1250.5"}, actor=rep).record
    assert deal.name == "Big order"
    assert deal.amount == Decimal("1250.50")
    assert deal.pipeline == pipeline and deal.stage == stages["Qualification"]
    assert deal.currency == pipeline.currency
    assert (deal.owner_id, deal.team_id) == (rep.pk, rep.team_id)
    assert deal.status == "open" and deal.closed_at is None
    history = list(StageChange.objects.filter(deal=deal))
    assert [(h.from_stage_id, h.to_stage_id) for h in history] == [(None, deal.stage_id)]
    [created] = changes_of(deal)
    assert created.action == "create" and created.changes["stage"]["after"] == "Qualification"


def test_every_bad_field_is_named_and_nothing_is_written(rep, stages, make_user):
    other = make_user("sales")
    hidden = save_company({"name": "Hidden Ltd"}, actor=other, channel="ui").record
    data = {
        "name": "",
        "amount": "-5",
        "currency": "EURO",
        "expected_close_date": "2026-13-01",
        "stage_id": 999999,
        "company_id": hidden.pk,
        "contacts": [{"contact_id": 424242, "role": "boss"}],
        "source": "carrier pigeon",
        "colour": "red",
    }
    with pytest.raises(ValidationFailed) as failed:
        create_deal(data, actor=rep)
    errors = failed.value.field_errors
    for name in (
        "name",
        "amount",
        "currency",
        "expected_close_date",
        "stage_id",
        "company_id",
        "contacts.0.role",
        "source",
        "colour",
    ):
        assert name in errors, name
    assert not Deal.objects.exists()


def test_contacts_with_roles_must_be_visible(rep, make_user):
    mine = save_contact({"name": "Ada Lovelace"}, actor=rep, channel="ui").record
    theirs = save_contact({"name": "Not Mine"}, actor=make_user("sales"), channel="ui").record
    with pytest.raises(ValidationFailed) as failed:
        create_deal(
            {"name": "D", "contacts": [{"contact_id": theirs.pk, "role": "champion"}]}, actor=rep
        )
    assert "contacts.0.contact_id" in failed.value.field_errors
    deal = create_deal(
        {"name": "D", "contacts": [{"contact_id": mine.pk, "role": "Decision maker"}]}, actor=rep
    ).record
    assert list(deal.deal_contacts.values_list("contact_id", "role")) == [
        (mine.pk, "decision_maker")
    ]


def test_move_records_history_status_and_audit(rep, stages, reason):
    deal = create_deal({"name": "Move me", "amount": 100}, actor=rep).record
    moved = move_deal(deal, stages["Proposal"], actor=rep, expected_version=1).record
    assert moved.stage == stages["Proposal"] and moved.version == 2 and moved.status == "open"
    won = move_deal(moved, stages["Won"], actor=rep).record
    assert won.status == "won" and won.closed_at is not None
    reopened = move_deal(won, stages["Negotiation"], actor=rep).record
    assert reopened.status == "open" and reopened.closed_at is None
    path = StageChange.objects.filter(deal=deal).order_by("id")
    assert [c.to_stage.name for c in path] == ["Qualification", "Proposal", "Won", "Negotiation"]
    update = changes_of(deal)[1]
    assert update.changes["stage"] == {"before": "Qualification", "after": "Proposal"}


def test_lost_needs_a_reason_and_only_lost_deals_keep_one(rep, stages, reason):
    deal = create_deal({"name": "Lose me"}, actor=rep).record
    with pytest.raises(ValidationFailed) as failed:
        move_deal(deal, stages["Lost"], actor=rep)
    assert "loss_reason_id" in failed.value.field_errors
    lost = move_deal(
        deal, stages["Lost"], actor=rep, loss_reason=reason, loss_note="Too dear"
    ).record
    assert (lost.status, lost.loss_reason, lost.loss_note) == ("lost", reason, "Too dear")
    with pytest.raises(ValidationFailed):
        update_deal(lost, {"stage_id": stages["Proposal"].pk, "loss_note": "x"}, actor=rep)
    reopened = move_deal(lost, stages["Proposal"], actor=rep).record
    assert reopened.loss_reason is None and reopened.loss_note == ""


def test_stale_version_is_a_conflict_and_changes_nothing(rep):
    deal = create_deal({"name": "Versioned"}, actor=rep).record
    update_deal(deal, {"amount": 10}, actor=rep, expected_version=1)
    with pytest.raises(Conflict):
        update_deal(deal, {"amount": 20}, actor=rep, expected_version=1)
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("10.00")


def test_unchanged_update_leaves_no_change_record(rep):
    deal = create_deal({"name": "Same", "amount": "5.00"}, actor=rep).record
    update_deal(deal, {"name": "Same", "amount": "5"}, actor=rep)
    assert len(changes_of(deal)) == 1
    assert Deal.objects.get(pk=deal.pk).version == 1


def test_stage_of_another_pipeline_is_refused(rep, admin):
    from tidycrm.deals.services import save_pipeline, save_stage

    other = save_pipeline({"name": "Renewals", "currency": "EUR"}, actor=admin)
    foreign = save_stage({"name": "Renewing", "probability": 50}, actor=admin, pipeline=other)
    deal = create_deal({"name": "Mine"}, actor=rep).record
    with pytest.raises(ValidationFailed) as failed:
        move_deal(deal, foreign, actor=rep)
    assert "stage_id" in failed.value.field_errors
    switched = update_deal(deal, {"pipeline_id": other.pk}, actor=rep).record
    assert switched.pipeline == other and switched.stage == foreign


def test_visibility_follows_owner_and_team(rep, manager, make_user, team):
    outsider = make_user("sales")
    deal = create_deal({"name": "Team deal"}, actor=rep).record
    assert visible_deals(manager).filter(pk=deal.pk).exists()
    assert not visible_deals(outsider).filter(pk=deal.pk).exists()
    from tidycrm.core.exceptions import NotFound

    with pytest.raises(NotFound):
        get_deal(outsider, deal.pk)


def test_read_only_cannot_write_and_sales_cannot_delete(rep, make_user):
    with pytest.raises(PermissionDenied):
        create_deal({"name": "x"}, actor=make_user("read_only"))
    deal = create_deal({"name": "x"}, actor=rep).record
    with pytest.raises(PermissionDenied):
        delete_deal(deal, actor=rep)


def test_events_after_commit(rep, stages, reason, django_capture_on_commit_callbacks):
    seen: list[tuple[str, Any]] = []

    def handler(event: events.Event) -> None:
        seen.append((event.name, event.payload.get("id")))

    events.subscribe("*", handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            deal = create_deal({"name": "Evented"}, actor=rep).record
            move_deal(deal, stages["Won"], actor=rep)
    finally:
        events.unsubscribe("*", handler)
    names = [name for name, _ in seen]
    assert names == ["deal.created", "deal.updated", "deal.stage_changed", "deal.won"]


def test_delete_is_audited_with_the_values_removed(admin):
    deal = create_deal({"name": "Gone", "amount": 7}, actor=admin).record
    pk = deal.pk
    delete_deal(deal, actor=admin)
    assert not Deal.objects.filter(pk=pk).exists()
    record = ChangeRecord.objects.filter(object_id=pk, action="delete").get()
    assert record.changes["name"]["before"] == "Gone"


def test_reached_position_follows_moves_and_stage_reordering(rep, admin, stages, reason):
    """The stored furthest open stage equals the maximum over the stage history, computed
    here, after moves forward, back, to won and lost, and after stages are reordered."""
    from tidycrm.deals.services import save_stage

    def furthest(deal: Deal) -> int | None:
        positions = [
            c.to_stage.position
            for c in StageChange.objects.filter(deal=deal).select_related("to_stage")
            if c.to_stage.kind == "open"
        ]
        return max(positions) if positions else None

    deal = create_deal({"name": "Reach", "amount": 10}, actor=rep).record
    assert deal.reached_position == furthest(deal) == stages["Qualification"].position
    for name in ["Negotiation", "Proposal", "Won", "Needs analysis", "Lost"]:
        extra = {"loss_reason": reason} if name == "Lost" else {}
        deal = move_deal(deal, stages[name], actor=rep, **extra).record
        deal.refresh_from_db()
        assert deal.reached_position == furthest(deal), name
    assert deal.reached_position == stages["Negotiation"].position
    other = create_deal({"name": "Early", "amount": 10}, actor=rep).record
    # Negotiation moves to the front: the first deal's furthest stage is now Proposal.
    save_stage({"position": 0}, actor=admin, stage=stages["Negotiation"])
    save_stage({"position": 9}, actor=admin, stage=stages["Qualification"])
    for d in (deal, other):
        d.refresh_from_db()
        assert d.reached_position == furthest(d)
    assert deal.reached_position == other.reached_position == 9
