"""API shapes of a contact: what a client sends (strict), what it gets (raw beside clean)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from annotated_types import MaxLen
from ninja import Schema
from pydantic import ConfigDict, Field

from tidycrm.contacts.choices import LeadSource, LeadStatus, LifecycleStage
from tidycrm.core.api import (
    MAX_ID,
    AddressIn,
    AddressOut,
    BlankIsNone,
    FilterDateTime,
    InputSchema,
    PhoneIn,
    PhoneOut,
    RecordId,
    SafeJson,
    SortOrder,
    Text,
)
from tidycrm.core.models import Label

COUNT_FIELD = Field(None, ge=0, lt=2**31)


class EmailIn(InputSchema):
    address: Annotated[Text, MaxLen(320)]
    label: Label = Label.WORK
    is_primary: bool = False


class AffiliationIn(InputSchema):
    company_id: RecordId
    job_title: Annotated[Text, MaxLen(160)] = ""
    is_current: bool = True
    is_primary: bool = False


class SocialProfileIn(InputSchema):
    url: Annotated[Text, MaxLen(500)]
    network: Annotated[Text, MaxLen(32)] = ""


class ContactIn(InputSchema):
    """Every field is optional: on create a contact needs a name or an e-mail address; on update
    only the fields sent change (a list replaces the whole collection, `custom_fields` merges and
    a null value removes that custom field)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Ada Lovelace",
                    "emails": [{"address": "ada@example.com"}],
                    "phones": [{"number": "+44 20 7946 0958", "label": "mobile"}],
                    "addresses": [{"city": "London", "country": "GB"}],
                    "lifecycle_stage": "lead",
                    "lead_source": "referral",
                    "tags": ["newsletter"],
                }
            ]
        },
    )

    name: Annotated[Text, MaxLen(255)] | None = Field(
        None, description="A full name, split into parts when no part is sent."
    )
    honorific: Annotated[Text, MaxLen(32)] | None = None
    given_name: Annotated[Text, MaxLen(120)] | None = None
    middle_name: Annotated[Text, MaxLen(120)] | None = None
    family_name: Annotated[Text, MaxLen(120)] | None = None
    suffix: Annotated[Text, MaxLen(32)] | None = None
    job_title: Annotated[Text, MaxLen(160)] | None = None
    department: Annotated[Text, MaxLen(120)] | None = None
    industry: Annotated[Text, MaxLen(120)] | None = None
    city: Annotated[Text, MaxLen(120)] | None = None
    region: Annotated[Text, MaxLen(120)] | None = None
    country: Annotated[Text, MaxLen(64)] | None = Field(
        None, description="ISO code or English name."
    )
    language: Annotated[Text, MaxLen(16)] | None = None
    birthday: date | None = None
    interests: list[Annotated[Text, MaxLen(64)]] | None = Field(None, max_length=50)
    social_profiles: list[SocialProfileIn] | None = Field(None, max_length=50)
    lifecycle_stage: LifecycleStage | None = None
    lead_status: Annotated[LeadStatus | None, BlankIsNone] = None
    lead_source: Annotated[LeadSource | None, BlankIsNone] = None
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)
    team_id: int | None = Field(None, ge=1, le=MAX_ID)
    notes: Annotated[Text, MaxLen(50_000)] | None = None
    purchase_count: int | None = COUNT_FIELD
    support_contact_count: int | None = COUNT_FIELD
    site_visit_count: int | None = COUNT_FIELD
    email_click_count: int | None = COUNT_FIELD
    total_spend: Decimal | None = Field(None, ge=0, lt=10**12, max_digits=14, decimal_places=2)
    custom_fields: dict[Annotated[Text, MaxLen(63)], SafeJson] | None = Field(
        None, description="Values by custom field key; null removes a value."
    )
    external_id: Annotated[Text, MaxLen(128)] | None = Field(
        None, description="Your system's id; unique."
    )
    tags: list[Annotated[Text, MaxLen(64)]] | None = Field(None, max_length=100)
    emails: list[EmailIn] | None = Field(None, max_length=50)
    phones: list[PhoneIn] | None = Field(None, max_length=50)
    addresses: list[AddressIn] | None = Field(None, max_length=20)
    companies: list[AffiliationIn] | None = Field(None, max_length=50)

    def to_door(self) -> dict[str, Any]:
        """The fields the client sent, in the door's input form (nulls mean "clear")."""
        data = self.model_dump(mode="json", exclude_unset=True, exclude={"version"})
        for name in (
            "purchase_count",
            "support_contact_count",
            "site_visit_count",
            "email_click_count",
            "total_spend",
        ):
            if name in data and data[name] is None:
                data[name] = 0
        for name in (
            "interests",
            "social_profiles",
            "tags",
            "emails",
            "phones",
            "addresses",
            "companies",
        ):
            if name in data and data[name] is None:
                data[name] = []
        return data


class ContactPatch(ContactIn):
    version: int | None = Field(
        None,
        ge=1,
        lt=2**31,
        description="The version you loaded; a newer stored version gives 409 instead of a "
        "silent overwrite.",
    )


class EmailOut(Schema):
    label: str
    raw: str
    address: str
    is_primary: bool


class AffiliationOut(Schema):
    company_id: int
    company_name: str
    job_title: str
    is_current: bool
    is_primary: bool


class SocialProfileOut(Schema):
    network: str
    url: str


class ContactOut(Schema):
    id: int
    display_name: str
    honorific: str
    given_name: str
    middle_name: str
    family_name: str
    suffix: str
    job_title: str
    department: str
    industry: str
    city: str
    region: str
    country: str
    language: str
    birthday: date | None
    interests: list[str]
    social_profiles: list[SocialProfileOut]
    lifecycle_stage: str
    lead_status: str
    lead_source: str
    owner_id: int | None
    team_id: int | None
    notes: str
    purchase_count: int
    total_spend: str = Field(description='Decimal amount as a string, e.g. "1250.00".')
    support_contact_count: int
    site_visit_count: int
    email_click_count: int
    last_activity_at: datetime | None
    custom_fields: dict[str, Any]
    external_id: str
    raw_input: dict[str, Any] = Field(
        description="Values as they were entered, where cleaning changed them."
    )
    data_flags: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Problems accepted and flagged by the entry policy, by field path "
        '(e.g. "phones.0.number": ["is not a valid phone number."]).',
    )
    tags: list[str]
    emails: list[EmailOut]
    phones: list[PhoneOut]
    addresses: list[AddressOut]
    companies: list[AffiliationOut]
    version: int
    created_at: datetime
    updated_at: datetime


class ContactSaved(ContactOut):
    warnings: list[str] = Field(
        description="Possible duplicates, and values the door fixed or flagged."
    )


class ContactPreview(Schema):
    """What the door would store, without storing anything."""

    fields: dict[str, Any] = Field(description="Standardised plain fields.")
    emails: list[dict[str, Any]]
    phones: list[dict[str, Any]]
    addresses: list[dict[str, Any]]
    data_flags: dict[str, list[str]] = Field(description="Flags the record would carry.")
    errors: dict[str, list[str]] = Field(
        description="Field errors that would refuse the record, by field path."
    )
    warnings: list[str] = Field(description="Values the door would fix or flag.")


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: str | None
    previous_cursor: str | None


class ContactListQuery(Schema):
    q: Annotated[Text, MaxLen(200)] | None = Field(
        None, description="Words matching names, e-mails, phones, companies (any case or accent)."
    )
    lifecycle_stage: LifecycleStage | None = None
    lead_status: LeadStatus | None = None
    lead_source: LeadSource | None = None
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="Owner's user id.")
    team: int | None = Field(None, ge=1, le=MAX_ID, description="Team id.")
    country: Annotated[Text, MaxLen(64)] | None = Field(
        None, description="ISO 3166-1 alpha-2 code."
    )
    company: int | None = Field(None, ge=1, le=MAX_ID, description="Works at this company id.")
    tag: Annotated[Text, MaxLen(64)] | None = None
    created_after: FilterDateTime | None = None
    created_before: FilterDateTime | None = None
    updated_after: FilterDateTime | None = None
    cf: list[Annotated[Text, MaxLen(300)]] = Field(
        default_factory=list, description="Custom field condition key:value; repeat for more."
    )
    sort: SortOrder = "name"
    cursor: Annotated[Text, MaxLen(1000)] | None = Field(
        None, description="next_cursor or previous_cursor of a page."
    )
    limit: int = Field(50, ge=1, le=200)
