"""The records matching compares: plain values, no database objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: str  # the caller's id: a primary key as text, or an external id
    given_name: str = ""
    family_name: str = ""
    full_name: str = ""  # used when given and family are unknown
    emails: tuple[str, ...] = ()  # as stored; matching derives its own keys
    phones: tuple[str, ...] = ()  # E.164 when known, else as typed
    company: str = ""
    street: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""  # ISO alpha-2
    birth_date: str = ""  # ISO date when known
    extra: Mapping[str, str] = field(default_factory=dict)  # other identifiers (e.g. an ID number)


@dataclass(frozen=True, slots=True)
class CompanyRecord:
    id: str
    name: str = ""
    domains: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    street: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""
