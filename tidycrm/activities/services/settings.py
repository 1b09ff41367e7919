"""Administrators' alert settings: stale days per lifecycle or pipeline stage, the lead SLA."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.activities.choices import StaleScope
from tidycrm.activities.models import AlertSettings, StaleRule
from tidycrm.activities.selectors import alert_settings
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import diff, record_change
from tidycrm.contacts.choices import LifecycleStage
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.deals.choices import StageKind
from tidycrm.deals.models import Stage

MAX_DAYS = 3650


def _check_days(
    values: Mapping[str, int | None], prefix: str, errors: dict[str, list[str]]
) -> None:
    for key, days in values.items():
        if days is not None and not 1 <= days <= MAX_DAYS:
            errors.setdefault(f"{prefix}.{key}", []).append(
                f"must be 1 to {MAX_DAYS} days, or empty."
            )


def save_alert_settings(
    *,
    actor: User,
    channel: Channel | str,
    lifecycle_days: Mapping[str, int | None],
    stage_days: Mapping[int, int | None],
    lead_sla_minutes: int,
    due_soon_hours: int,
) -> AlertSettings:
    """Replace the stale rules (None turns a stage's rule off) and the alert settings."""
    require(actor, Permission.MANAGE_SETTINGS)
    errors: dict[str, list[str]] = {}
    for stage in set(lifecycle_days) - set(LifecycleStage.values):
        errors.setdefault(f"lifecycle.{stage}", []).append("is not a lifecycle stage.")
    open_stages = set(Stage.objects.filter(kind=StageKind.OPEN).values_list("pk", flat=True))
    for pk in set(stage_days) - open_stages:
        errors.setdefault(f"stage.{pk}", []).append("is not an open pipeline stage.")
    _check_days(lifecycle_days, "lifecycle", errors)
    _check_days({str(k): v for k, v in stage_days.items()}, "stage", errors)
    if not 1 <= lead_sla_minutes <= 60 * 24 * 30:
        errors["lead_sla_minutes"] = ["must be 1 minute to 30 days."]
    if not 1 <= due_soon_hours <= 24 * 14:
        errors["due_soon_hours"] = ["must be 1 hour to 14 days."]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        for stage_name, days in lifecycle_days.items():
            _set_rule(StaleScope.LIFECYCLE, {"lifecycle_stage": stage_name}, days, actor, channel)
        for stage_id, days in stage_days.items():
            _set_rule(StaleScope.DEAL_STAGE, {"stage_id": stage_id}, days, actor, channel)
        current = alert_settings()
        before = {
            "lead_sla_minutes": current.lead_sla_minutes,
            "due_soon_hours": current.due_soon_hours,
        }
        current.lead_sla_minutes, current.due_soon_hours = lead_sla_minutes, due_soon_hours
        current.save()
        record_change(
            current,
            action=Action.UPDATE,
            channel=channel,
            actor=actor,
            changes=diff(
                before, {"lead_sla_minutes": lead_sla_minutes, "due_soon_hours": due_soon_hours}
            ),
        )
    return current


def _set_rule(
    scope: str, target: dict[str, object], days: int | None, actor: User, channel: Channel | str
) -> None:
    rule = StaleRule.objects.filter(scope=scope, **target).first()
    before = {"days": rule.days, "is_active": rule.is_active} if rule else {}
    if days is None:
        if rule is None or not rule.is_active:
            return
        rule.is_active = False
    elif rule is None:
        rule = StaleRule(scope=scope, days=days, **target)
    else:
        rule.days, rule.is_active = days, True
    changes = diff(before, {"days": rule.days, "is_active": rule.is_active})
    if changes:
        rule.save()
        action = Action.UPDATE if before else Action.CREATE
        record_change(rule, action=action, channel=channel, actor=actor, changes=changes)
