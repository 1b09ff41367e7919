"""API shapes of a company: what a client sends (strict) and what it gets back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from annotated_types import MaxLen
from ninja import Schema
from pydantic import ConfigDict, Field

from tidycrm.companies.choices import CompanySize
from tidycrm.core.api import (
    MAX_ID,
    AddressIn,
    AddressOut,
    BlankIsNone,
    InputSchema,
    PhoneIn,
    PhoneOut,
    SafeJson,
    SortOrder,
    Text,
)


class CompanyIn(InputSchema):
    """On create `name` is required; on update only the fields sent change (a list replaces the
    whole collection, `custom_fields` merges and a null value removes that custom field)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Acme Ltd",
                    "domains": ["acme.example"],
                    "industry": "Manufacturing",
                    "size": "10-49",
                    "phones": [{"number": "+44 20 7946 0000", "label": "main"}],
                }
            ]
        },
    )

    name: Annotated[Text, MaxLen(255)] | None = None
    industry: Annotated[Text, MaxLen(120)] | None = None
    size: Annotated[CompanySize | None, BlankIsNone] = None
    employee_count: int | None = Field(None, ge=0, lt=2**31)
    website: Annotated[Text, MaxLen(255)] | None = None
    description: Annotated[Text, MaxLen(10_000)] | None = None
    parent_id: int | None = Field(None, ge=1, le=MAX_ID, description="Parent company id.")
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)
    team_id: int | None = Field(None, ge=1, le=MAX_ID)
    custom_fields: dict[Annotated[Text, MaxLen(63)], SafeJson] | None = Field(
        None, description="Values by custom field key; null removes a value."
    )
    external_id: Annotated[Text, MaxLen(128)] | None = Field(
        None, description="Your system's id; unique."
    )
    tags: list[Annotated[Text, MaxLen(64)]] | None = Field(None, max_length=100)
    domains: list[Annotated[Text, MaxLen(253)]] | None = Field(
        None, max_length=50, description="Web domains; the first is the primary one."
    )
    phones: list[PhoneIn] | None = Field(None, max_length=50)
    addresses: list[AddressIn] | None = Field(None, max_length=20)

    def to_door(self) -> dict[str, Any]:
        """The fields the client sent, in the door's input form (nulls mean "clear")."""
        data = self.model_dump(mode="json", exclude_unset=True, exclude={"version"})
        for name in ("tags", "domains", "phones", "addresses"):
            if name in data and data[name] is None:
                data[name] = []
        return data


class CompanyPatch(CompanyIn):
    version: int | None = Field(
        None,
        ge=1,
        lt=2**31,
        description="The version you loaded; a newer stored version gives 409 instead of a "
        "silent overwrite.",
    )


class DomainOut(Schema):
    domain: str
    is_primary: bool


class CompanyOut(Schema):
    id: int
    name: str
    industry: str
    size: str
    employee_count: int | None
    website: str
    description: str
    parent_id: int | None
    owner_id: int | None
    team_id: int | None
    custom_fields: dict[str, Any]
    external_id: str
    raw_input: dict[str, Any] = Field(description="Values as entered, where cleaning changed them.")
    data_flags: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Problems accepted and flagged by the entry policy, by field path "
        '(e.g. "phones.0.number": ["is not a valid phone number."]).',
    )
    tags: list[str]
    domains: list[DomainOut]
    phones: list[PhoneOut]
    addresses: list[AddressOut]
    version: int
    created_at: datetime
    updated_at: datetime


class CompanySaved(CompanyOut):
    warnings: list[str] = Field(
        description="Possible duplicates, and values the door fixed or flagged."
    )


class CompanyPage(Schema):
    items: list[CompanyOut]
    next_cursor: str | None
    previous_cursor: str | None


class CompanyListQuery(Schema):
    q: Annotated[Text, MaxLen(200)] | None = Field(
        None, description="Words matching name, domains, phones."
    )
    industry: Annotated[Text, MaxLen(120)] | None = None
    size: CompanySize | None = None
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="Owner's user id.")
    team: int | None = Field(None, ge=1, le=MAX_ID, description="Team id.")
    parent: int | None = Field(None, ge=1, le=MAX_ID, description="Parent company id.")
    cf: list[Annotated[Text, MaxLen(300)]] = Field(
        default_factory=list, description="Custom field condition key:value; repeat for more."
    )
    sort: SortOrder = "name"
    cursor: Annotated[Text, MaxLen(1000)] | None = Field(
        None, description="next_cursor or previous_cursor of a page."
    )
    limit: int = Field(50, ge=1, le=200)
