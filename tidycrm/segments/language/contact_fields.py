"""The contact's own fields, its custom fields, tags, lists, e-mail addresses and companies."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from tidycrm.contacts.choices import LeadSource, LeadStatus, LifecycleStage
from tidycrm.contacts.models import Affiliation, Contact, ContactEmail
from tidycrm.customfields.choices import FieldType, RecordType
from tidycrm.customfields.models import CustomFieldDefinition
from tidycrm.hygiene.text import fold
from tidycrm.lists.models import ContactList, ListMembership
from tidycrm.segments.language.compiler import Context, Invalid
from tidycrm.segments.language.registry import FieldSpec, Kind, register, register_resolver
from tidycrm.tags.models import Tag, TaggedItem

CUSTOM_PREFIX = "custom."


def _text(name: str, label: str) -> FieldSpec:
    return FieldSpec(name, label, Kind.TEXT)


def _number(name: str, label: str) -> FieldSpec:
    return FieldSpec(name, label, Kind.NUMBER, group="Activity and value")


def _when(name: str, label: str, kind: Kind = Kind.DATETIME, nullable: bool = False) -> FieldSpec:
    return FieldSpec(name, label, kind, nullable=nullable)


# -- tags and lists --------------------------------------------------------------------------


@cache
def _contact_type_id() -> int:
    return ContentType.objects.get_for_model(Contact).pk


def _tag_ids(names: list[Any]) -> list[Any]:
    keys = {fold(str(n)): str(n) for n in names}
    found = dict(Tag.objects.filter(key__in=keys).values_list("key", "pk"))
    missing = [name for key, name in keys.items() if key not in found]
    if missing:
        raise Invalid(f"names no existing tag: {', '.join(missing[:5])}.")
    return list(found.values())


def _list_ids(ids: list[Any]) -> list[Any]:
    bad = [v for v in ids if isinstance(v, bool) or not isinstance(v, int) or not 0 < v < 2**63]
    if bad:
        raise Invalid(f"takes list ids (whole numbers); got {bad[0]!r}.")
    found = set(ContactList.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [str(v) for v in ids if v not in found]
    if missing:
        raise Invalid(f"names no existing list: {', '.join(missing[:5])}.")
    return ids


def _members_q(op: str, members: Any) -> Q:
    """has/has_not one value, has_any/has_none of several, over a subquery of contact ids."""
    found = Q(pk__in=members)
    return found if op in ("has", "has_any") else ~found


def _tags(op: str, value: Any, context: Context) -> Q:
    ids = _tag_ids(value if isinstance(value, list) else [value])
    tagged = TaggedItem.objects.filter(content_type_id=_contact_type_id(), tag_id__in=ids)
    return _members_q(op, tagged.values("object_id"))


def _lists(op: str, value: Any, context: Context) -> Q:
    ids = _list_ids(value if isinstance(value, list) else [value])
    members = ListMembership.objects.filter(contact_list_id__in=ids)
    return _members_q(op, members.values("contact_id"))


# -- e-mail and company ----------------------------------------------------------------------


def _email(op: str, value: Any, context: Context) -> Q:
    emails = ContactEmail.objects.all()
    if op in ("is_empty", "is_not_empty"):
        found = Q(pk__in=emails.values("contact_id"))
        return found if op == "is_not_empty" else ~found
    lookups = {
        "eq": ("key", str.casefold),
        "neq": ("key", str.casefold),
        "in": ("key__in", lambda v: [x.casefold() for x in v]),
        "contains": ("key__contains", str.casefold),
        "not_contains": ("key__contains", str.casefold),
        "starts_with": ("key__startswith", str.casefold),
        "ends_with": ("key__endswith", str.casefold),
    }
    name, convert = lookups[op]
    found = Q(pk__in=emails.filter(**{name: convert(value)}).values("contact_id"))
    return ~found if op in ("neq", "not_contains") else found


def _company(op: str, value: Any, context: Context) -> Q:
    affiliations = Affiliation.objects.all()
    if op in ("is_empty", "is_not_empty"):
        found = Q(pk__in=affiliations.values("contact_id"))
        return found if op == "is_not_empty" else ~found
    ids = value if isinstance(value, list) else [value]
    found = Q(pk__in=affiliations.filter(company_id__in=ids).values("contact_id"))
    return found if op in ("eq", "in") else ~found


# -- custom fields ---------------------------------------------------------------------------

_CUSTOM_KINDS = {
    FieldType.TEXT: Kind.TEXT,
    FieldType.LONG_TEXT: Kind.TEXT,
    FieldType.URL: Kind.TEXT,
    FieldType.EMAIL: Kind.TEXT,
    FieldType.INTEGER: Kind.NUMBER,
    FieldType.DECIMAL: Kind.NUMBER,
    FieldType.DATE: Kind.DATE,
    FieldType.BOOLEAN: Kind.BOOLEAN,
    FieldType.CHOICE: Kind.CHOICE,
    FieldType.MULTI_CHOICE: Kind.TAGS,
}


def custom_field_spec(definition: CustomFieldDefinition) -> FieldSpec:
    kind = _CUSTOM_KINDS[FieldType(definition.field_type)]
    column = f"custom_fields__{definition.key}"
    choices = tuple((str(c), str(c)) for c in definition.choices or ())
    build = None
    if kind == Kind.TAGS:
        build = _multi_choice(definition.key, [c for c, _ in choices])
    return FieldSpec(
        name=CUSTOM_PREFIX + definition.key,
        label=definition.label,
        kind=kind,
        group="Custom fields",
        column=column,
        choices=choices,
        build=build,
        json_number=kind == Kind.NUMBER,
        help=definition.help_text,
    )


def _multi_choice(key: str, allowed: list[str]) -> Any:
    def build(op: str, value: Any, context: Context) -> Q:
        values = value if isinstance(value, list) else [value]
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise Invalid(f"takes values from {', '.join(allowed)}; got {unknown[0]!r}.")
        # Stored as a JSON list of strings: match the quoted item in its text.
        found = Q()
        for item in values:
            found |= Q(**{f"custom_fields__{key}__icontains": f'"{item}"'})
        return found if op in ("has", "has_any") else ~found

    return build


def _resolve_custom(name: str) -> FieldSpec | None:
    if not name.startswith(CUSTOM_PREFIX):
        return None
    definition = CustomFieldDefinition.objects.filter(
        record_type=RecordType.CONTACT, key=name.removeprefix(CUSTOM_PREFIX)
    ).first()
    return custom_field_spec(definition) if definition else None


def custom_field_specs() -> list[FieldSpec]:
    definitions = CustomFieldDefinition.objects.filter(record_type=RecordType.CONTACT)
    return [custom_field_spec(d) for d in definitions]


STANDARD = (
    _text("display_name", "Name"),
    _text("given_name", "Given name"),
    _text("family_name", "Family name"),
    _text("job_title", "Job title"),
    _text("department", "Department"),
    _text("industry", "Industry"),
    _text("city", "City"),
    _text("region", "Region"),
    FieldSpec("country", "Country (ISO code, e.g. DE)", Kind.CHOICE),
    _text("language", "Language"),
    _text("external_id", "External id"),
    FieldSpec("email", "E-mail address", Kind.TEXT, build=_email),
    FieldSpec(
        "lifecycle_stage", "Lifecycle stage", Kind.CHOICE, choices=tuple(LifecycleStage.choices)
    ),
    FieldSpec("lead_status", "Lead status", Kind.CHOICE, choices=tuple(LeadStatus.choices)),
    FieldSpec("lead_source", "Lead source", Kind.CHOICE, choices=tuple(LeadSource.choices)),
    FieldSpec("owner", "Owner (user id)", Kind.REFERENCE, column="owner_id", nullable=True),
    FieldSpec("team", "Team (team id)", Kind.REFERENCE, column="team_id", nullable=True),
    FieldSpec("company", "Works at (company id)", Kind.REFERENCE, build=_company),
    _number("purchase_count", "Purchases"),
    _number("total_spend", "Total spend"),
    _number("support_contact_count", "Support contacts"),
    _number("site_visit_count", "Site visits"),
    _number("email_click_count", "E-mail clicks"),
    _when("created_at", "Created"),
    _when("updated_at", "Updated"),
    _when("last_activity_at", "Last activity", nullable=True),
    _when("birthday", "Birthday", Kind.DATE, nullable=True),
    FieldSpec(
        "tag",
        "Tag",
        Kind.TAGS,
        group="Tags and lists",
        build=_tags,
        help="Temporary, targeted labels: lead source, interest, an action taken.",
    ),
    FieldSpec(
        "list",
        "List (list id)",
        Kind.TAGS,
        group="Tags and lists",
        build=_lists,
        by_id=True,
        help="Broad, mostly static groups people are added to on purpose.",
    ),
)


def register_contact_fields() -> None:
    register("contact", *STANDARD)
    register_resolver("contact", _resolve_custom)
