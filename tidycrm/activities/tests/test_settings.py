"""Administrators set stale days per lifecycle and pipeline stage and the lead SLA; audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tidycrm.activities.models import AlertSettings, StaleRule
from tidycrm.activities.services.settings import save_alert_settings
from tidycrm.audit.models import ChangeRecord
from tidycrm.core.exceptions import PermissionDenied, ValidationFailed
from tidycrm.deals.models import Stage

pytestmark = pytest.mark.django_db


def test_rules_are_created_changed_and_turned_off(admin):
    proposal = Stage.objects.get(name="Proposal")
    save = lambda **kw: save_alert_settings(actor=admin, channel="ui", **kw)  # noqa: E731
    save(
        lifecycle_days={"lead": 14},
        stage_days={proposal.pk: 21},
        lead_sla_minutes=45,
        due_soon_hours=12,
    )
    rules = {
        (r.scope, r.lifecycle_stage, r.stage_id): r.days
        for r in StaleRule.objects.filter(is_active=True)
    }
    assert rules == {("lifecycle", "lead", None): 14, ("deal_stage", "", proposal.pk): 21}
    assert AlertSettings.objects.get().lead_sla_minutes == 45
    save(
        lifecycle_days={"lead": None},
        stage_days={proposal.pk: 30},
        lead_sla_minutes=45,
        due_soon_hours=12,
    )
    assert list(StaleRule.objects.filter(is_active=True).values_list("days", flat=True)) == [30]
    assert ChangeRecord.objects.filter(content_type__model="stalerule").count() == 4


def test_bad_values_name_the_field(admin):
    won = Stage.objects.get(name="Won")
    with pytest.raises(ValidationFailed) as caught:
        save_alert_settings(
            actor=admin,
            channel="api",
            lifecycle_days={"lead": 0, "alien": 3},
            stage_days={won.pk: 5},
            lead_sla_minutes=0,
            due_soon_hours=5,
        )
    assert set(caught.value.field_errors) == {
        "lifecycle.lead",
        "lifecycle.alien",
        f"stage.{won.pk}",
        "lead_sla_minutes",
    }
    assert not StaleRule.objects.exists()


def test_only_administrators(rep, client, admin):
    with pytest.raises(PermissionDenied):
        save_alert_settings(
            actor=rep,
            channel="ui",
            lifecycle_days={},
            stage_days={},
            lead_sla_minutes=5,
            due_soon_hours=5,
        )
    client.force_login(rep)
    assert client.get(reverse("activities:settings")).status_code == 403
    client.force_login(admin)
    page = client.get(reverse("activities:settings"))
    assert page.status_code == 200 and b"Proposal" in page.content
    saved = client.post(
        reverse("activities:settings"),
        {"lead_sla_minutes": 30, "due_soon_hours": 24, "lifecycle_customer": 60},
    )
    assert saved.status_code == 302
    assert StaleRule.objects.get().lifecycle_stage == "customer"
