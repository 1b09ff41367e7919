"""Imports over the API: what the client sends and what it gets back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from ninja import Schema
from pydantic import Field

from tidycrm.core.api import InputSchema, Text


class JobOut(Schema):
    status: str
    done: int
    total: int | None
    percent: float | None
    rows_per_second: float | None
    seconds_left: float | None
    result: dict[str, Any]
    error: str


class ImportOut(Schema):
    id: int
    file_name: str
    size: int
    kind: str
    encoding: str
    delimiter: str
    header: list[str]
    estimated_rows: int | None
    mapping: dict[str, str] = Field(
        description='Column index -> field; {"*": "standard"} for TidyCRM\'s own export layout.'
    )
    defaults: dict[str, str]
    mode: str
    match: list[str]
    skip_invalid: bool
    stage: str
    preview: dict[str, Any] = Field(description="The dry run's counts and problems by row.")
    job: JobOut | None
    revert_job: JobOut | None
    created_at: datetime


class ImportList(Schema):
    items: list[ImportOut]


class ImportConfig(InputSchema):
    mapping: dict[Annotated[Text, MaxLen(8)], Annotated[Text, MaxLen(80)]] | None = Field(
        None, description="Column index (as text) -> target field, e.g. {'0': 'email'}."
    )
    defaults: dict[Annotated[Text, MaxLen(80)], Annotated[Text, MaxLen(1000)]] | None = None
    mode: Literal["create", "update", "upsert"] | None = None
    match: list[Annotated[Text, MaxLen(40)]] | None = Field(
        None, description="external_id, email, or up to five contact fields.", max_length=5
    )
    skip_invalid: bool | None = None
    save_as: Annotated[Text, MaxLen(120)] = ""


class ExportJobIn(InputSchema):
    kind: Literal["contacts", "companies"]
    format: Literal["csv", "xlsx", "vcf"]
    filters: dict[Annotated[Text, MaxLen(80)], Annotated[Text, MaxLen(1000)]] = Field(
        default_factory=dict,
        description="The list endpoint's query parameters, e.g. {'country': 'DE', 'q': 'ada'}.",
    )
    cf: list[Annotated[Text, MaxLen(400)]] = Field(
        default_factory=list, description="Custom field conditions, as GET /contacts takes them."
    )


class ExportJobOut(Schema):
    id: int
    kind: str
    format: str
    job: JobOut
    download_url: str | None = Field(description="Where to fetch the file once it is done.")
    created_at: datetime


class EntryPolicyCellOut(Schema):
    record_type: str
    check: str
    description: str
    channel: str
    action: str
    default: str


class EntryPolicyOut(Schema):
    items: list[EntryPolicyCellOut]


class EntryPolicyIn(InputSchema):
    choices: dict[Annotated[Text, MaxLen(80)], Literal["reject", "flag", "fix"]] = Field(
        description='"<record type>.<check>.<channel>" -> action, e.g. '
        '{"contact.email.import": "reject"}.'
    )
