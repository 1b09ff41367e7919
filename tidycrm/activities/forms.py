"""The quick-log form: one form for every kind; the kind's own fields show (CSS :has)."""

from __future__ import annotations

from typing import Any

from django import forms

from tidycrm.accounts.selectors import active_users
from tidycrm.activities.choices import KIND_FIELDS, Direction, Kind, Priority
from tidycrm.activities.models import Outcome

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# Service field name -> form field name, for putting the services' errors on the form.
FORM_NAMES = {
    "outcome_id": "outcome",
    "assignee_id": "assignee",
    "duration_seconds": "duration_minutes",
    "attendee_ids": "attendees",
}


class QuickLogForm(forms.Form):
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.CALL, widget=forms.RadioSelect)
    subject = forms.CharField(max_length=255, required=False)
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Notes")
    occurred_at = forms.DateTimeField(
        required=False, widget=MOMENT, label="When", help_text="Empty: now."
    )
    direction = forms.ChoiceField(choices=[("", "—"), *Direction.choices], required=False)
    outcome = forms.ModelChoiceField(Outcome.objects.none(), required=False)
    duration_minutes = forms.IntegerField(min_value=0, max_value=10080, required=False)
    ends_at = forms.DateTimeField(required=False, widget=MOMENT, label="Ends")
    location = forms.CharField(max_length=255, required=False)
    video_url = forms.URLField(max_length=500, required=False, label="Video link")
    attendees = forms.ModelMultipleChoiceField(active_users(), required=False)
    due_at = forms.DateTimeField(required=False, widget=MOMENT, label="Due")
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL, required=False)
    assignee = forms.ModelChoiceField(active_users(), required=False, help_text="Empty: you.")
    remind_at = forms.DateTimeField(required=False, widget=MOMENT, label="Remind me")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].queryset = Outcome.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["attendees"].queryset = active_users()  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = active_users()  # type: ignore[attr-defined]

    # Each field with the kinds it shows for (CSS classes; empty: every kind).
    LAYOUT = (
        ("subject", ""),
        ("occurred_at", ""),
        ("direction", "for-call for-email for-conversation"),
        ("outcome", "for-call for-meeting"),
        ("duration_minutes", "for-call for-conversation"),
        ("ends_at", "for-meeting"),
        ("location", "for-meeting"),
        ("video_url", "for-meeting"),
        ("attendees", "for-meeting"),
        ("due_at", "for-task"),
        ("priority", "for-task"),
        ("assignee", "for-task"),
        ("remind_at", "for-task"),
    )

    def layout(self) -> list[tuple[forms.BoundField, str]]:
        return [(self[name], css) for name, css in self.LAYOUT]

    def service_data(self) -> dict[str, Any]:
        """The cleaned values the chosen kind uses, named as the services name them."""
        data = self.cleaned_data
        kind = data["kind"]
        values: dict[str, Any] = {
            "kind": kind,
            "subject": data.get("subject") or "",
            "body": data.get("body") or "",
        }
        if data.get("occurred_at"):
            values["occurred_at"] = data["occurred_at"]
        outcome, assignee = data.get("outcome"), data.get("assignee")
        minutes = data.get("duration_minutes")
        offered = {
            "direction": data.get("direction") or "",
            "outcome_id": outcome.pk if outcome else None,
            "duration_seconds": minutes * 60 if minutes is not None else None,
            "ends_at": data.get("ends_at"),
            "location": data.get("location") or "",
            "video_url": data.get("video_url") or "",
            "attendee_ids": [u.pk for u in data.get("attendees") or []],
            "due_at": data.get("due_at"),
            "priority": data.get("priority") or Priority.NORMAL,
            "assignee_id": assignee.pk if assignee else None,
            "remind_at": data.get("remind_at"),
        }
        values.update({k: v for k, v in offered.items() if k in KIND_FIELDS[kind]})
        return values

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for name, problems in errors.items():
            field = FORM_NAMES.get(name, name)
            for problem in problems:
                self.add_error(field if field in self.fields else None, problem)


class CalendarImportForm(forms.Form):
    file = forms.FileField(label=".ics file", help_text="Events become meetings.")


class AlertSettingsForm(forms.Form):
    """Days without a touch before an alert, per lifecycle stage and per open pipeline stage
    (empty: no alert), the speed-to-lead target and the 'due soon' lead time."""

    lead_sla_minutes = forms.IntegerField(
        min_value=1, max_value=43200, label="First activity on a new lead within (minutes)"
    )
    due_soon_hours = forms.IntegerField(
        min_value=1, max_value=336, label="Remind of a task due within (hours)"
    )

    def __init__(
        self,
        *args: Any,
        lifecycle: list[tuple[str, str]],
        stages: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lifecycle_names = [f"lifecycle_{value}" for value, _ in lifecycle]
        self.stage_names = [f"stage_{pk}" for pk, _ in stages]
        for (_, label), name in zip(lifecycle, self.lifecycle_names, strict=True):
            self.fields[name] = forms.IntegerField(
                min_value=1, max_value=3650, required=False, label=label
            )
        for (_, label), name in zip(stages, self.stage_names, strict=True):
            self.fields[name] = forms.IntegerField(
                min_value=1, max_value=3650, required=False, label=label
            )

    def lifecycle_days(self) -> dict[str, int | None]:
        return {
            n.removeprefix("lifecycle_"): self.cleaned_data.get(n) for n in self.lifecycle_names
        }

    def stage_days(self) -> dict[int, int | None]:
        return {int(n.removeprefix("stage_")): self.cleaned_data.get(n) for n in self.stage_names}
