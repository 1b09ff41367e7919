"""Form pieces every record form shares: lines of labelled values, address rows, custom fields,
and putting the door's field errors back on the form.

The forms only collect input; the door (save_contact / save_company) standardises and
validates, and its errors are shown next to the fields they concern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms

from tidycrm.core.models import Label
from tidycrm.customfields.choices import FieldType
from tidycrm.customfields.models import CustomFieldDefinition

LABELS = [value for value, _ in Label.choices]
_LABELLED = re.compile(rf"^\s*({'|'.join(LABELS)})\s*:\s*(.*)$", re.IGNORECASE)
CF_PREFIX = "cf_"
STALE = (
    "This record changed since you loaded it. "
    "Open it again to see the changes, then repeat your edit."
)


def parse_lines(text: str, key: str) -> list[dict[str, Any]]:
    """'home: ann@example.com' per line -> [{"label": "home", key: "ann@example.com"}].

    Blank lines are dropped; the first row is the primary one.
    """
    rows: list[dict[str, Any]] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = _LABELLED.match(line)
        row: dict[str, Any] = {key: line.strip()}
        if match and match.group(2).strip():
            row = {"label": match.group(1).lower(), key: match.group(2).strip()}
        row["is_primary"] = not rows
        rows.append(row)
    return rows


def format_lines(rows: Iterable[tuple[str, str]], default_label: str = "work") -> str:
    """The inverse of parse_lines, for editing: the default label is left implicit."""
    return "\n".join(
        value if label == default_label else f"{label}: {value}" for label, value in rows
    )


def split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", text or "") if part.strip()]


class AddressForm(forms.Form):
    label = forms.ChoiceField(choices=Label.choices, initial=Label.WORK, required=False)
    street = forms.CharField(required=False, strip=False)
    street2 = forms.CharField(required=False, strip=False, label="Street (line 2)")
    postal_code = forms.CharField(required=False, strip=False, label="Postal code")
    city = forms.CharField(required=False, strip=False)
    region = forms.CharField(required=False, strip=False, label="Region / state")
    country = forms.CharField(required=False, strip=False, help_text="Name or ISO code")


AddressFormSet = forms.formset_factory(AddressForm, extra=1, max_num=20, absolute_max=50)


def address_rows(formset: forms.BaseFormSet[forms.Form]) -> list[dict[str, Any]]:
    """Every row, blank ones included, so the door's error indexes match the form rows."""
    rows = []
    for index, form in enumerate(formset.forms):
        data = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
        data.setdefault("label", "work")
        data["is_primary"] = index == 0
        rows.append(data)
    return rows


def address_initial(addresses: Iterable[Any]) -> list[dict[str, Any]]:
    return [
        {
            p: getattr(a, p)
            for p in ("label", "street", "street2", "postal_code", "city", "region", "country")
        }
        for a in addresses
    ]


def custom_field(definition: CustomFieldDefinition) -> forms.Field:
    """A form field for one custom field definition; the door coerces and validates the value."""
    common: dict[str, Any] = {
        "label": definition.label,
        "help_text": definition.help_text,
        "required": False,
    }
    kind = definition.field_type
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == FieldType.BOOLEAN:
        choices = [("", "—"), ("yes", "Yes"), ("no", "No")]
        return forms.ChoiceField(choices=choices, **common)
    if kind == FieldType.CHOICE:
        return forms.ChoiceField(
            choices=[("", "—")] + [(c, c) for c in definition.choices], **common
        )
    if kind == FieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in definition.choices],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    input_type = {
        FieldType.INTEGER: "number",
        FieldType.DECIMAL: "text",
        FieldType.DATE: "date",
        FieldType.URL: "url",
        FieldType.EMAIL: "email",
    }.get(FieldType(kind), "text")
    attrs = {"inputmode": "decimal"} if kind == FieldType.DECIMAL else {}
    return forms.CharField(widget=forms.TextInput(attrs={"type": input_type, **attrs}), **common)


def custom_initial(
    definitions: Iterable[CustomFieldDefinition], values: Mapping[str, Any]
) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for definition in definitions:
        value = values.get(definition.key)
        if definition.field_type == FieldType.BOOLEAN and isinstance(value, bool):
            value = "yes" if value else "no"
        initial[CF_PREFIX + definition.key] = value
    return initial


class RecordForm(forms.Form):
    """Base of the contact and company forms: custom fields and the door's errors."""

    # Door field names that a form shows under another name.
    aliases: dict[str, str] = {"owner_id": "owner", "team_id": "team", "parent_id": "parent"}

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, definitions: list[CustomFieldDefinition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definitions = definitions
        for definition in definitions:
            self.fields[CF_PREFIX + definition.key] = custom_field(definition)

    @property
    def custom_field_names(self) -> list[str]:
        return [CF_PREFIX + d.key for d in self.definitions]

    def custom_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for definition in self.definitions:
            value = self.cleaned_data.get(CF_PREFIX + definition.key)
            if value in (None, "", []):
                values[definition.key] = None
            elif definition.field_type == FieldType.BOOLEAN:
                values[definition.key] = value == "yes"
            else:
                values[definition.key] = value
        return values

    def form_field_for(self, key: str) -> str | None:
        """ "emails.0.address" -> "emails"; "custom_fields.tier" -> "cf_tier"; else None."""
        head, _, rest = key.partition(".")
        if head == "custom_fields" and rest:
            name = CF_PREFIX + rest.partition(".")[0]
        else:
            name = self.aliases.get(head, head)
        return name if name in self.fields and name != "version" else None

    def add_door_errors(
        self,
        field_errors: Mapping[str, list[str]],
        addresses: forms.BaseFormSet[forms.Form] | None = None,
    ) -> None:
        for key, problems in field_errors.items():
            if key == "version":
                self.add_error(None, STALE)
                continue
            head, _, rest = key.partition(".")
            if (
                head == "addresses"
                and addresses is not None
                and _add_row_error(addresses, rest, problems)
            ):
                continue
            name = self.form_field_for(key)
            for problem in problems:
                if name is None:
                    label = "" if key == "__all__" else f"{key.replace('_', ' ')}: "
                    self.add_error(None, f"{label}{problem}")
                else:
                    self.add_error(name, _sentence(str(self.fields[name].label or name), problem))


def _add_row_error(formset: forms.BaseFormSet[forms.Form], rest: str, problems: list[str]) -> bool:
    index, _, part = rest.partition(".")
    if not index.isdigit() or int(index) >= len(formset.forms):
        return False
    form = formset.forms[int(index)]
    field = part if part in form.fields else None
    for problem in problems:
        form.add_error(
            field,
            _sentence(str(form.fields[field].label or field) if field else "Address", problem),
        )
    return True


def _sentence(label: str, problem: str) -> str:
    """The door says "is longer than 120 characters."; put the field's name in front."""
    if problem[:1].islower():
        name = str(label).replace("_", " ")
        return f"{name[:1].upper()}{name[1:]} {problem}"
    return problem
