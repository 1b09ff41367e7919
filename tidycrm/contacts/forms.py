"""The contact form: collects what the person typed and hands it to the door as one dict."""

from __future__ import annotations

from typing import Any

from django import forms

from tidycrm.accounts.models import Team
from tidycrm.accounts.selectors import active_users
from tidycrm.companies.models import Company
from tidycrm.contacts.choices import LeadSource, LeadStatus, LifecycleStage
from tidycrm.contacts.models import Contact
from tidycrm.hygiene.text import fold
from tidycrm.records.forms import (
    RecordForm,
    custom_initial,
    format_lines,
    parse_lines,
    split_list,
)

TEXT = (
    "honorific",
    "given_name",
    "middle_name",
    "family_name",
    "suffix",
    "job_title",
    "department",
    "industry",
    "city",
    "region",
    "language",
    "notes",
    "external_id",
)


def _text(label: str = "", **kwargs: Any) -> forms.CharField:
    return forms.CharField(required=False, strip=False, label=label or None, **kwargs)


def _area(rows: int, **kwargs: Any) -> forms.CharField:
    return _text(widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _blank_first(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


class ContactForm(RecordForm):
    aliases = {**RecordForm.aliases, "name": "given_name"}

    honorific = _text("Title", help_text="Dr, Ms, Prof…")
    given_name = _text("Given name")
    middle_name = _text("Middle name")
    family_name = _text("Family name")
    suffix = _text("Suffix")
    emails = _area(
        3,
        label="E-mail addresses",
        help_text="One per line; the first is primary. Prefix a label: “home: ann@example.com”.",
    )
    phones = _area(
        3,
        label="Phone numbers",
        help_text=(
            "One per line, with country code or in the contact’s country; "
            "“mobile: +44 7911 123456”."
        ),
    )
    social_profiles = _area(2, label="Social profiles", help_text="One web address per line.")
    job_title = _text("Job title")
    department = _text()
    companies = _area(
        2,
        label="Companies",
        help_text="One company name per line (or #id); the first is the current employer.",
    )
    industry = _text()
    city = _text()
    region = _text("Region / state")
    country = _text(help_text="Name or ISO code, e.g. “Germany” or “DE”.")
    language = _text(help_text="e.g. en, de, tr")
    birthday = _text(widget=forms.DateInput(attrs={"type": "date"}))
    interests = _text(help_text="Comma-separated.")
    lifecycle_stage = forms.ChoiceField(choices=LifecycleStage.choices, label="Lifecycle stage")
    lead_status = forms.ChoiceField(
        choices=_blank_first(LeadStatus.choices), required=False, label="Lead status"
    )
    lead_source = forms.ChoiceField(
        choices=_blank_first(LeadSource.choices), required=False, label="Lead source"
    )
    owner = forms.ChoiceField(required=False)
    team = forms.ChoiceField(required=False)
    tags = _text(help_text="Comma-separated, e.g. “vip, newsletter”.")
    notes = _area(4)
    external_id = _text("External id", help_text="The id in another system, if any.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner, team = self.fields["owner"], self.fields["team"]
        assert isinstance(owner, forms.ChoiceField) and isinstance(team, forms.ChoiceField)
        owner.choices = _blank_first([(str(u.pk), str(u)) for u in active_users()])
        team.choices = _blank_first([(str(t.pk), t.name) for t in Team.objects.all()])

    @staticmethod
    def initial_for(contact: Contact, definitions: list[Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(contact, name) for name in TEXT}
        initial |= {
            "emails": format_lines((e.label, e.address) for e in contact.emails.all()),
            "phones": format_lines(
                (p.label, f"{p.e164} x{p.extension}" if p.extension else p.e164 or p.raw)
                for p in contact.phones.all()
            ),
            "social_profiles": "\n".join(p.get("url", "") for p in contact.social_profiles or []),
            "companies": "\n".join(a.company.name for a in contact.affiliations.all()),
            "country": contact.country,
            "birthday": contact.birthday.isoformat() if contact.birthday else "",
            "interests": ", ".join(contact.interests or []),
            "lifecycle_stage": contact.lifecycle_stage,
            "lead_status": contact.lead_status,
            "lead_source": contact.lead_source,
            "owner": str(contact.owner_id or ""),
            "team": str(contact.team_id or ""),
            "version": contact.version,
        }
        return initial | custom_initial(definitions, contact.custom_fields or {})

    def to_data(self, *, creating: bool) -> dict[str, Any]:
        """The door's input; companies are resolved separately (see resolve_companies)."""
        data: dict[str, Any] = {name: self.cleaned_data[name] for name in TEXT}
        cd = self.cleaned_data
        data |= {
            "emails": parse_lines(cd["emails"], "address"),
            "phones": parse_lines(cd["phones"], "number"),
            "social_profiles": [
                line.strip() for line in cd["social_profiles"].splitlines() if line.strip()
            ],
            "country": cd["country"],
            "birthday": cd["birthday"].strip(),
            "interests": split_list(cd["interests"]),
            "lifecycle_stage": cd["lifecycle_stage"],
            "lead_status": cd["lead_status"],
            "lead_source": cd["lead_source"],
            "team_id": cd["team"] or None,
            "tags": split_list(cd["tags"]),
            "custom_fields": self.custom_values(),
        }
        # A new contact without a chosen owner belongs to whoever creates it.
        if cd["owner"] or not creating:
            data["owner_id"] = cd["owner"] or None
        return data

    def resolve_companies(
        self, companies: Any, current: dict[int, dict[str, Any]]
    ) -> list[dict[str, Any]] | None:
        """Company names (or #ids) -> affiliation rows among `companies` the user can see.

        Returns None and marks the field when a name matches no company or several.
        """
        rows: list[dict[str, Any]] = []
        problems: list[str] = []
        for line in self.cleaned_data["companies"].splitlines():
            name = line.strip()
            if not name:
                continue
            found = _find_company(companies, name)
            if len(found) != 1:
                problems.append(
                    f"No company named “{name[:80]}”: create it first."
                    if not found
                    else f"Several companies are named “{name[:80]}”: write #id instead."
                )
                continue
            company = found[0]
            kept = current.get(company.pk, {})
            rows.append(
                {
                    "company_id": company.pk,
                    "job_title": kept.get(
                        "job_title", self.cleaned_data["job_title"] if not rows else ""
                    ),
                    "is_current": kept.get("is_current", True),
                    "is_primary": not rows,
                }
            )
        for problem in problems:
            self.add_error("companies", problem)
        return None if problems else rows


def _find_company(companies: Any, name: str) -> list[Company]:
    if name.startswith("#") and name[1:].isdigit():
        return list(companies.filter(pk=int(name[1:]))[:1])
    # The folded name is the indexed sort key: exact match, any case or accents.
    return list(companies.filter(sort_key=fold(name)[:255])[:2])
