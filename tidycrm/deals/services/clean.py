"""Standardise and validate the fields of a deal: every problem becomes a field error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pycountry

from tidycrm.accounts.models import User
from tidycrm.companies.models import Company
from tidycrm.contacts.models import Contact
from tidycrm.core.door import Draft
from tidycrm.deals.choices import ContactRole, DealSource, StageKind
from tidycrm.deals.models import Deal, LossReason, Pipeline, Stage
from tidycrm.hygiene.fields import choice_field, money_field, text_field
from tidycrm.records.steps import Lookups, ownership, unknown_fields

FIELDS = (
    "name",
    "amount",
    "currency",
    "expected_close_date",
    "pipeline_id",
    "stage_id",
    "owner_id",
    "team_id",
    "company_id",
    "contacts",
    "source",
    "loss_reason_id",
    "loss_note",
)
MAX_CONTACTS = 50
# Close dates are plans: allow a long horizon, but not typos such as 20255.
FIRST_YEAR, LAST_YEAR = 1990, 2200


def currency_code(value: Any) -> tuple[str, str | None]:
    code = str(value or "").strip().upper()
    if len(code) == 3 and pycountry.currencies.get(alpha_3=code) is not None:
        return code, None
    return "", f"'{value}' is not an ISO 4217 currency code such as EUR or USD."


def close_date(value: Any) -> tuple[dt.date | None, str | None]:
    if value in (None, ""):
        return None, None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            return None, f"'{value}' is not a date as YYYY-MM-DD."
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        return None, f"must be between the years {FIRST_YEAR} and {LAST_YEAR}."
    return value, None


def _record_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError
    number = int(value)
    if not 0 < number < 2**63:
        raise ValueError
    return number


@dataclass
class DealDraft:
    """The deal's own fields, its contacts with roles when sent (None: unchanged), and the
    stage it enters when that changes."""

    draft: Draft
    contacts: list[dict[str, Any]] | None = None
    pipeline: Pipeline | None = None
    stage: Stage | None = None


def standardise_deal(data: Mapping[str, Any], *, actor: User, deal: Deal | None) -> DealDraft:
    result = DealDraft(Draft())
    draft = result.draft
    creating = deal is None
    unknown_fields(data, FIELDS, draft)
    lookups = Lookups()
    if "name" in data or creating:
        name, problem = text_field(data.get("name"), 255)
        if problem:
            draft.error("name", problem)
        elif not name:
            draft.error("name", "is required.")
        draft.fields["name"] = name
    if "amount" in data and data["amount"] not in (None, ""):
        amount, problem = money_field(data["amount"])
        if problem:
            draft.error("amount", problem)
        draft.fields["amount"] = amount
    elif creating:
        draft.fields["amount"] = Decimal("0.00")
    if "expected_close_date" in data:
        when, problem = close_date(data["expected_close_date"])
        if problem:
            draft.error("expected_close_date", problem)
        draft.fields["expected_close_date"] = when
    if "source" in data:
        source, problem = choice_field(data["source"], DealSource.values)
        if problem:
            draft.error("source", problem)
        draft.fields["source"] = source
    if "loss_note" in data:
        note, problem = text_field(data["loss_note"], 2000, multiline=True)
        if problem:
            draft.error("loss_note", problem)
        draft.fields["loss_note"] = note
    ownership(data, actor, draft, creating=creating, lookups=lookups)
    if creating and "team_id" not in data and "owner_id" in draft.fields:
        # A deal handed to someone else joins that person's team, as their contacts do.
        owner = User.objects.filter(pk=draft.fields["owner_id"]).only("team_id").first()
        draft.fields["team_id"] = owner.team_id if owner else None
    _pipeline_and_stage(data, result, deal)
    _currency(data, result, creating)
    _company(data, draft, actor, lookups)
    _loss_reason(data, draft, deal)
    result.contacts = _contacts(data, draft, actor, lookups)
    return result


def _pipeline_and_stage(data: Mapping[str, Any], result: DealDraft, deal: Deal | None) -> None:
    draft = result.draft
    pipeline: Pipeline | None = deal.pipeline if deal else None
    if "pipeline_id" in data or deal is None:
        try:
            pipeline_id = _record_id(data.get("pipeline_id"))
        except (TypeError, ValueError):
            draft.error("pipeline_id", "must be a pipeline id.")
            return
        if pipeline_id is None:
            pipeline = Pipeline.objects.filter(is_active=True).first()
            if pipeline is None:
                draft.error("pipeline_id", "is required: there is no active pipeline.")
                return
        else:
            pipeline = Pipeline.objects.filter(pk=pipeline_id).first()
            if pipeline is None:
                draft.error("pipeline_id", f"pipeline {pipeline_id} does not exist.")
                return
            if not pipeline.is_active and (deal is None or deal.pipeline_id != pipeline.pk):
                draft.error("pipeline_id", f"pipeline '{pipeline.name}' is archived.")
                return
        draft.fields["pipeline_id"] = pipeline.pk
    if pipeline is None:
        return
    result.pipeline = pipeline
    stage_sent = "stage_id" in data and data["stage_id"] not in (None, "")
    if not stage_sent and deal is not None and deal.pipeline_id == pipeline.pk:
        return
    if stage_sent:
        try:
            stage_id = _record_id(data["stage_id"])
        except (TypeError, ValueError):
            draft.error("stage_id", "must be a stage id.")
            return
        stage = Stage.objects.filter(pk=stage_id or 0).first()
        if stage is None or stage.pipeline_id != pipeline.pk:
            draft.error("stage_id", f"stage {stage_id} is not a stage of '{pipeline.name}'.")
            return
    else:
        stage = pipeline.stages.filter(kind=StageKind.OPEN).first()
        if stage is None:
            draft.error("stage_id", f"'{pipeline.name}' has no open stage to start in.")
            return
    draft.fields["stage_id"] = stage.pk
    result.stage = stage


def _currency(data: Mapping[str, Any], result: DealDraft, creating: bool) -> None:
    if "currency" in data and data["currency"] not in (None, ""):
        code, problem = currency_code(data["currency"])
        if problem:
            result.draft.error("currency", problem)
        result.draft.fields["currency"] = code
    elif creating and result.pipeline is not None:
        result.draft.fields["currency"] = result.pipeline.currency


def _company(data: Mapping[str, Any], draft: Draft, actor: User, lookups: Lookups) -> None:
    if "company_id" not in data:
        return
    try:
        company_id = _record_id(data["company_id"])
    except (TypeError, ValueError):
        draft.error("company_id", "must be a company id.")
        return
    if company_id is not None and not lookups.visible_ids(Company, actor, [company_id]):
        draft.error("company_id", f"company {company_id} does not exist or you cannot see it.")
        return
    draft.fields["company_id"] = company_id


def _loss_reason(data: Mapping[str, Any], draft: Draft, deal: Deal | None) -> None:
    if "loss_reason_id" not in data:
        return
    try:
        reason_id = _record_id(data["loss_reason_id"])
    except (TypeError, ValueError):
        draft.error("loss_reason_id", "must be a loss reason id.")
        return
    if reason_id is not None:
        reason = LossReason.objects.filter(pk=reason_id).first()
        if reason is None:
            draft.error("loss_reason_id", f"loss reason {reason_id} does not exist.")
            return
        if not reason.is_active and (deal is None or deal.loss_reason_id != reason_id):
            draft.error("loss_reason_id", f"loss reason '{reason.name}' is retired.")
            return
    draft.fields["loss_reason_id"] = reason_id


def _contacts(
    data: Mapping[str, Any], draft: Draft, actor: User, lookups: Lookups
) -> list[dict[str, Any]] | None:
    if "contacts" not in data or data["contacts"] is None:
        return None
    rows = data["contacts"]
    if not isinstance(rows, list) or len(rows) > MAX_CONTACTS:
        draft.error("contacts", f"must be a list of at most {MAX_CONTACTS} contacts with roles.")
        return None
    cleaned: dict[int, str] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            draft.error(f"contacts.{index}", "must be an object with contact_id and role.")
            continue
        try:
            contact_id = _record_id(row.get("contact_id"))
        except (TypeError, ValueError):
            contact_id = None
        if contact_id is None:
            draft.error(f"contacts.{index}.contact_id", "must be a contact id.")
            continue
        role, problem = choice_field(row.get("role") or ContactRole.OTHER, ContactRole.values)
        if problem:
            draft.error(f"contacts.{index}.role", problem)
            continue
        if not lookups.visible_ids(Contact, actor, [contact_id]):
            draft.error(
                f"contacts.{index}.contact_id",
                f"contact {contact_id} does not exist or you cannot see it.",
            )
            continue
        cleaned[contact_id] = role
    return [{"contact_id": pk, "role": role} for pk, role in cleaned.items()]
