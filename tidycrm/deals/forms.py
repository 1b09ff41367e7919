"""Forms that collect what a person typed and hand it to the deal services as one dict."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy

from tidycrm.accounts.models import Team
from tidycrm.accounts.selectors import active_users
from tidycrm.deals.choices import ContactRole, DealSource, StageKind
from tidycrm.deals.models import Deal, Pipeline, Stage
from tidycrm.deals.selectors import loss_reasons, pipelines


def _text(label: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(required=False, strip=False, label=label, **kwargs)


# Choices are read when a form is made, so new pipelines, users and reasons show at once.
def _pipeline_choices() -> list[tuple[object, str]]:
    return [(p.pk, p.name) for p in pipelines(active_only=True)]


def _stage_choices() -> list[tuple[object, str]]:
    stages = Stage.objects.filter(pipeline__is_active=True).select_related("pipeline")
    return [("", "First open stage")] + [(s.pk, f"{s.pipeline.name}: {s.name}") for s in stages]


def _owner_choices() -> list[tuple[object, str]]:
    return [("", "—")] + [(u.pk, str(u)) for u in active_users()]


def _team_choices() -> list[tuple[object, str]]:
    return [("", "—")] + [(t.pk, t.name) for t in Team.objects.all()]


def _reason_choices() -> list[tuple[object, str]]:
    return [("", "—")] + [(r.pk, r.name) for r in loss_reasons(active_only=True)]


PEOPLE_ROWS = 3  # empty rows for people on a new deal; an edit shows its people and one more
MAX_PEOPLE = 200


def picked(pk: int | None, name: str) -> str:
    """A record as the pickers show it: its name and number ("Acme GmbH #12")."""
    return f"{name} #{pk}" if pk else ""


def picked_id(text: str | None) -> str:
    """The number of a picked record ("Acme GmbH #12" or "12"); anything else is passed on for
    the service to name the problem."""
    text = (text or "").strip()
    _, mark, number = text.rpartition("#")
    return number.strip() if mark and number.strip().isdigit() else text


def _picker(kind: str) -> forms.TextInput:
    """A text input whose suggestions (a datalist) follow what is typed."""
    return forms.TextInput(
        attrs={
            "list": f"{kind}-choices",
            "autocomplete": "off",
            "hx-get": reverse_lazy("deals:pick", args=[kind]),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": f"#{kind}-choices",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }
    )


class ServiceErrorsMixin:
    """Put a service's field errors on the form's fields (unknown ones on the form)."""

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            field = name.split(".")[0].removesuffix("_id")
            known = field in self.fields  # type: ignore[attr-defined]
            # A hidden field (version) cannot show its error: the form says it instead.
            target = field if known and not self[field].is_hidden else None  # type: ignore[index]
            for message in messages:
                text = message if target else f"{name}: {message}"
                if field == "version":
                    text = "Someone changed this record since you opened it; reload to see it."
                self.add_error(target, text)  # type: ignore[attr-defined]


class DealForm(ServiceErrorsMixin, forms.Form):
    name = _text("Name", max_length=255)
    amount = _text("Amount", help_text="e.g. 12500.00")
    currency = _text("Currency", max_length=3, help_text="ISO code; empty: the pipeline's")
    expected_close_date = forms.DateField(
        required=False, label="Expected close", widget=forms.DateInput(attrs={"type": "date"})
    )
    pipeline = forms.ChoiceField(label="Pipeline", choices=_pipeline_choices)
    stage = forms.ChoiceField(label="Stage", required=False, choices=_stage_choices)
    owner = forms.ChoiceField(label="Owner", required=False, choices=_owner_choices)
    team = forms.ChoiceField(label="Team", required=False, choices=_team_choices)
    company = _text("Company", help_text="Type a name and pick it, or the company's number")
    source = forms.ChoiceField(
        label="Source", required=False, choices=[("", "—"), *DealSource.choices]
    )
    loss_reason = forms.ChoiceField(label="Loss reason", required=False, choices=_reason_choices)
    loss_note = _text("Why it was lost", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].widget = _picker("company")
        given = {**self.initial, **self.data}
        filled = [
            int(key.removeprefix("person_"))
            for key, value in given.items()
            if key.startswith("person_") and key[7:].isdigit() and value
        ]
        for row in range(min(max(max(filled, default=-1) + 2, PEOPLE_ROWS), MAX_PEOPLE)):
            self.fields[f"person_{row}"] = _text("Person", widget=_picker("contact"))
            self.fields[f"role_{row}"] = forms.ChoiceField(
                label="Role", required=False, choices=[("", "—"), *ContactRole.choices]
            )

    def people_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        rows = sum(1 for name in self.fields if name.startswith("person_"))
        return [(self[f"person_{row}"], self[f"role_{row}"]) for row in range(rows)]

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """A person's error (`contacts.2.contact_id`) goes on that row's field."""
        rest: dict[str, list[str]] = {}
        for name, messages in errors.items():
            parts = name.split(".")
            if parts[0] == "contacts" and len(parts) > 1 and f"person_{parts[1]}" in self.fields:
                for message in messages:
                    self.add_error(f"person_{parts[1]}", message)
            else:
                rest[name] = messages
        super().add_service_errors(rest)

    @staticmethod
    def initial_for(deal: Deal) -> dict[str, Any]:
        rows = deal.deal_contacts.order_by("id").values_list(
            "contact_id", "contact__display_name", "role"
        )
        people: dict[str, Any] = {}
        for row, (pk, name, role) in enumerate(rows):
            people[f"person_{row}"] = picked(pk, name)
            people[f"role_{row}"] = role
        return {
            "name": deal.name,
            "amount": f"{deal.amount:.2f}",
            "currency": deal.currency,
            "expected_close_date": deal.expected_close_date,
            "pipeline": deal.pipeline_id,
            "stage": deal.stage_id,
            "owner": deal.owner_id or "",
            "team": deal.team_id or "",
            "company": picked(deal.company_id, deal.company.name) if deal.company else "",
            **people,
            "source": deal.source,
            "loss_reason": deal.loss_reason_id or "",
            "loss_note": deal.loss_note,
            "version": deal.version,
        }

    def to_data(self) -> dict[str, Any]:
        """The service's input; blank selects mean none, ids stay text for the service to check."""
        data = self.cleaned_data
        rows = sum(1 for name in self.fields if name.startswith("person_"))
        contacts = [
            {"contact_id": picked_id(data[f"person_{row}"]), "role": data[f"role_{row}"]}
            for row in range(rows)
            if data[f"person_{row}"].strip()
        ]
        return {
            "name": data["name"],
            "amount": data["amount"] or None,
            "currency": data["currency"] or None,
            "expected_close_date": data["expected_close_date"],
            "pipeline_id": data["pipeline"] or None,
            "stage_id": data["stage"] or None,
            "owner_id": data["owner"] or None,
            "team_id": data["team"] or None,
            "company_id": picked_id(data["company"]) or None,
            "contacts": contacts,
            "source": data["source"],
            "loss_reason_id": data["loss_reason"] or None,
            "loss_note": data["loss_note"],
        }


class PipelineForm(ServiceErrorsMixin, forms.Form):
    name = _text("Name", max_length=120)
    currency = _text("Currency", max_length=3)
    position = forms.IntegerField(label="Position", min_value=0, required=False)
    is_active = forms.BooleanField(label="Active", required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    @staticmethod
    def initial_for(pipeline: Pipeline | None) -> dict[str, Any]:
        if pipeline is None:
            return {"currency": "USD", "is_active": True}
        fields = ("name", "currency", "position", "is_active", "version")
        return {name: getattr(pipeline, name) for name in fields}


class StageForm(ServiceErrorsMixin, forms.Form):
    name = _text("Name", max_length=120)
    position = forms.IntegerField(label="Position", min_value=0, required=False)
    probability = forms.IntegerField(label="Win probability %", min_value=0, max_value=100)
    kind = forms.ChoiceField(label="Kind", choices=StageKind.choices)


class LossReasonForm(ServiceErrorsMixin, forms.Form):
    name = _text("Name", max_length=120)
    position = forms.IntegerField(label="Position", min_value=0, required=False)
    is_active = forms.BooleanField(label="In use", required=False, initial=True)
