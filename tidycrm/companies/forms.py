"""The company form: collects input and hands it to the door as one dict."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from tidycrm.accounts.models import Team
from tidycrm.accounts.selectors import active_users
from tidycrm.companies.choices import CompanySize
from tidycrm.companies.models import Company
from tidycrm.hygiene.text import fold
from tidycrm.records.forms import RecordForm, custom_initial, format_lines, parse_lines, split_list

TEXT = ("name", "industry", "website", "description", "external_id")


def _text(label: str = "", **kwargs: Any) -> forms.CharField:
    return forms.CharField(required=False, strip=False, label=label or None, **kwargs)


def _blank_first(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


class CompanyForm(RecordForm):
    name = _text()
    domains = _text(
        help_text="Comma-separated, e.g. “example.com, example.de”. The first is primary."
    )
    website = _text(help_text="https://…")
    industry = _text()
    size = forms.ChoiceField(choices=_blank_first(CompanySize.choices), required=False)
    employee_count = _text("Employees", widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    parent = _text("Parent company", help_text="Its exact name, or #id.")
    phones = _text(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="One per line; “main: +49 30 1234567”."
    )
    owner = forms.ChoiceField(required=False)
    team = forms.ChoiceField(required=False)
    tags = _text(help_text="Comma-separated.")
    description = _text(widget=forms.Textarea(attrs={"rows": 4}))
    external_id = _text("External id")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner, team = self.fields["owner"], self.fields["team"]
        assert isinstance(owner, forms.ChoiceField) and isinstance(team, forms.ChoiceField)
        owner.choices = _blank_first([(str(u.pk), str(u)) for u in active_users()])
        team.choices = _blank_first([(str(t.pk), t.name) for t in Team.objects.all()])

    @staticmethod
    def initial_for(company: Company, definitions: list[Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(company, name) for name in TEXT}
        initial |= {
            "domains": ", ".join(d.domain for d in company.domains.all()),
            "size": company.size,
            "employee_count": "" if company.employee_count is None else str(company.employee_count),
            "parent": company.parent.name if company.parent else "",
            "phones": format_lines(
                (
                    (p.label, f"{p.e164} x{p.extension}" if p.extension else p.e164 or p.raw)
                    for p in company.phones.all()
                ),
                default_label="work",
            ),
            "owner": str(company.owner_id or ""),
            "team": str(company.team_id or ""),
            "version": company.version,
        }
        return initial | custom_initial(definitions, company.custom_fields or {})

    def to_data(self, *, creating: bool, companies: QuerySet[Company]) -> dict[str, Any]:
        cd = self.cleaned_data
        data: dict[str, Any] = {name: cd[name] for name in TEXT}
        data |= {
            "domains": split_list(cd["domains"]),
            "size": cd["size"],
            "employee_count": cd["employee_count"].strip() or None,
            "phones": parse_lines(cd["phones"], "number"),
            "team_id": cd["team"] or None,
            "tags": split_list(cd["tags"]),
            "custom_fields": self.custom_values(),
            "parent_id": self._parent_id(companies),
        }
        if cd["owner"] or not creating:
            data["owner_id"] = cd["owner"] or None
        return data

    def _parent_id(self, companies: QuerySet[Company]) -> int | str | None:
        text: str = self.cleaned_data["parent"].strip()
        if not text:
            return None
        if text.startswith("#") and text[1:].isdigit():
            return text[1:]
        found = list(companies.filter(sort_key=fold(text)[:255]).values_list("pk", flat=True)[:2])
        if len(found) == 1:
            return int(found[0])
        self.add_error(
            "parent",
            f"No company named “{text[:80]}”."
            if not found
            else f"Several companies are named “{text[:80]}”: write #id instead.",
        )
        return None
