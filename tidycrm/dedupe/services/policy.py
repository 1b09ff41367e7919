"""The duplicate policy an admin sets: the door's action per channel, survivorship, thresholds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import record_change
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.dedupe.choices import EntryAction, RecordKind, Survivorship
from tidycrm.dedupe.models import DedupeSettings, DuplicatePolicy
from tidycrm.dedupe.survivorship import current_settings

CHANNELS = tuple(Channel.values)
DEFAULT_ACTION = EntryAction.WARN


def action_for(kind: str, channel: str) -> str:
    """The admin's choice, else the deployment's TIDYCRM_DUPLICATE_POLICY, else warn."""
    chosen = (
        DuplicatePolicy.objects.filter(kind=kind, channel=channel)
        .values_list("action", flat=True)
        .first()
    )
    if chosen:
        return chosen
    if kind == RecordKind.CONTACT:
        configured: dict[str, str] = getattr(settings, "TIDYCRM_DUPLICATE_POLICY", {})
        if channel in configured:
            return configured[channel]
    return DEFAULT_ACTION


@dataclass
class PolicyView:
    actions: dict[str, dict[str, str]]  # kind -> channel -> action
    survivorship: str
    trusted_sources: list[str]
    auto_merge_threshold: float


def current_policy() -> PolicyView:
    config = current_settings()
    return PolicyView(
        actions={
            kind: {channel: action_for(kind, channel) for channel in CHANNELS}
            for kind in RecordKind.values
        },
        survivorship=config.survivorship,
        trusted_sources=list(config.trusted_sources or []),
        auto_merge_threshold=config.auto_merge_threshold,
    )


def update_policy(
    *,
    actor: User | None,
    actions: Mapping[str, Mapping[str, str]] | None = None,
    survivorship: str | None = None,
    trusted_sources: Sequence[str] | None = None,
    auto_merge_threshold: float | None = None,
) -> PolicyView:
    """Change what is given; every problem is reported by field at once, nothing half-saved."""
    if actor is not None:
        require(actor, Permission.MANAGE_SETTINGS)
    errors: dict[str, list[str]] = {}
    for kind, by_channel in (actions or {}).items():
        if kind not in RecordKind.values:
            errors.setdefault("actions", []).append(f"'{kind}' is not a record kind.")
            continue
        for channel, action in by_channel.items():
            if channel not in CHANNELS:
                errors.setdefault("actions", []).append(f"'{channel}' is not a channel.")
            elif action not in EntryAction.values:
                errors.setdefault("actions", []).append(
                    f"{kind}/{channel}: '{action}' is not one of {', '.join(EntryAction.values)}."
                )
    if survivorship is not None and survivorship not in Survivorship.values:
        errors["survivorship"] = [f"must be one of {', '.join(Survivorship.values)}."]
    unknown = [s for s in trusted_sources or [] if s not in CHANNELS]
    if unknown:
        errors["trusted_sources"] = [f"'{unknown[0]}' is not a channel."]
    if auto_merge_threshold is not None and not 0.5 <= auto_merge_threshold <= 1.0:
        errors["auto_merge_threshold"] = ["must be between 0.5 and 1."]
    if errors:
        raise ValidationFailed(errors)
    before = current_policy()
    with transaction.atomic():
        for kind, by_channel in (actions or {}).items():
            for channel, action in by_channel.items():
                DuplicatePolicy.objects.update_or_create(
                    kind=kind, channel=channel, defaults={"action": action}
                )
        config = DedupeSettings.objects.select_for_update().order_by("pk").first()
        config = config or DedupeSettings()
        if survivorship is not None:
            config.survivorship = survivorship
        if trusted_sources is not None:
            config.trusted_sources = list(dict.fromkeys(trusted_sources))
        if auto_merge_threshold is not None:
            config.auto_merge_threshold = auto_merge_threshold
        config.updated_at = timezone.now()
        config.save()
        after = current_policy()
        changes = _differences(before, after)
        if changes:
            record_change(
                config, action=Action.UPDATE, channel=Channel.UI, actor=actor, changes=changes
            )
    return after


def _differences(before: PolicyView, after: PolicyView) -> dict[str, dict[str, Any]]:
    changes: dict[str, dict[str, Any]] = {}
    for name in ("actions", "survivorship", "trusted_sources", "auto_merge_threshold"):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes[name] = {"before": old, "after": new}
    return changes
