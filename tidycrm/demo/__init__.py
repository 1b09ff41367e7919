"""Demo data: a believable CRM across several countries and scripts, written through the door.

Every record is written by the same services the UI, API and imports use (channel "system"),
so the demo also shows standardisation at work: phones typed in local formats, countries given
as names, stray spaces and capitals in e-mail addresses, and a few likely duplicates. The same
seed gives the same data.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from tidycrm.accounts.choices import Role
from tidycrm.accounts.models import Team, User
from tidycrm.accounts.services import create_user, get_or_create_team
from tidycrm.audit.choices import Channel
from tidycrm.companies.choices import CompanySize
from tidycrm.companies.models import Company
from tidycrm.companies.services import save_company
from tidycrm.contacts.choices import LeadSource, LeadStatus, LifecycleStage
from tidycrm.contacts.services import save_contact, save_contacts_bulk
from tidycrm.customfields.choices import RecordType
from tidycrm.customfields.models import CustomFieldDefinition
from tidycrm.customfields.services import define_field
from tidycrm.demo import activities as demo_activities
from tidycrm.demo import deals as demo_deals
from tidycrm.demo import dedupe as demo_dedupe
from tidycrm.demo import segments as demo_segments
from tidycrm.demo.generate import Builder
from tidycrm.demo.tables import (
    COMPANY_FIELDS,
    COMPANY_TAGS,
    CONTACT_FIELDS,
    CONTACT_TAGS,
    COUNTRIES,
    DEPARTMENTS,
    INDUSTRIES,
    INTERESTS,
    LIFECYCLE_WEIGHTS,
    USERS,
    Country,
)

Progress = Callable[[str, int, int], None]
"""Called as progress(stage, done, total) while loading."""

BATCH = 100


class DemoAlreadyLoaded(Exception):
    pass


@dataclass
class Login:
    username: str
    role: str
    team: str | None
    password: str | None  # None when the user already existed (its password is unchanged)


@dataclass
class DemoReport:
    logins: list[Login] = field(default_factory=list)
    companies: int = 0
    contacts: int = 0
    duplicate_warnings: int = 0
    rejected: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    # What each area's loader made beyond contacts and companies: {"deals": 40, ...}.
    extras: dict[str, int] = field(default_factory=dict)


def _ensure_users(report: DemoReport) -> dict[str, User]:
    teams: dict[str, Team] = {}
    users: dict[str, User] = {}
    for spec in USERS:
        team = None
        if spec.team:
            team = teams.get(spec.team) or get_or_create_team(spec.team)
            teams[spec.team] = team
        existing = User.objects.filter(username__iexact=spec.username).first()
        if existing is not None:
            users[spec.username] = existing
            report.logins.append(Login(existing.username, existing.role, spec.team, None))
            continue
        password = secrets.token_urlsafe(12)
        users[spec.username] = create_user(
            username=spec.username,
            password=password,
            role=spec.role,
            team=team,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{spec.username}@tidycrm.example",
            is_superuser=spec.role == Role.ADMIN,
        )
        report.logins.append(Login(spec.username, spec.role, spec.team, password))
    return users


def ensure_admin(username: str = "admin") -> Login:
    """The first administrator for an empty database, with a new random password."""
    existing = User.objects.filter(username__iexact=username).first()
    if existing is not None:
        return Login(existing.username, existing.role, None, None)
    password = secrets.token_urlsafe(12)
    create_user(username=username, password=password, role=Role.ADMIN, is_superuser=True)
    return Login(username, Role.ADMIN, None, password)


def _ensure_fields() -> None:
    for record_type, specs in (
        (RecordType.CONTACT, CONTACT_FIELDS),
        (RecordType.COMPANY, COMPANY_FIELDS),
    ):
        for spec in specs:
            if not CustomFieldDefinition.objects.filter(
                record_type=record_type, key=spec["key"]
            ).exists():
                define_field(actor=None, record_type=record_type, **spec)


def _owners(users: dict[str, User], team: str | int) -> list[User]:
    """Sales people and managers of a team, given by name or id."""
    return [
        u
        for u in users.values()
        if u.team is not None
        and team in (u.team.name, u.team_id)
        and u.role in (Role.SALES, Role.MANAGER)
    ]


def _company_rows(
    b: Builder, count: int, users: dict[str, User]
) -> list[tuple[Country, dict[str, Any]]]:
    rows = []
    for i in range(count):
        country = COUNTRIES[i % len(COUNTRIES)] if i < len(COUNTRIES) else b.country()
        fake = b.fakers[country.code]
        name = fake.company()
        domain = b.company_domain(name, country)
        owner = b.rng.choice(_owners(users, country.team))
        employees = b.rng.choice((4, 12, 35, 80, 150, 420, 900, 2500, 12000))
        size = next(
            s
            for s, top in zip(CompanySize.values, (9, 49, 249, 999, 10**9), strict=True)
            if employees <= top
        )
        data: dict[str, Any] = {
            "name": name,
            "industry": b.rng.choice(INDUSTRIES),
            "website": f"https://www.{domain}",
            "domains": [domain],
            "size": size,
            "employee_count": employees,
            "phones": [{"number": b.phone(country, mobile=False), "label": "main"}],
            "addresses": [{**b.address(country), "label": "billing"}],
            "owner_id": owner.pk,
            "team_id": owner.team_id,
            "tags": b.rng.sample(COMPANY_TAGS, k=b.rng.choice((0, 0, 1, 1, 2))),
            "custom_fields": {
                "contract_tier": b.rng.choice(("bronze", "silver", "silver", "gold", "platinum")),
                "renewal_date": (
                    date(2026, 1, 1) + timedelta(days=b.rng.randrange(730))
                ).isoformat(),
            },
            "external_id": f"demo-{b.seed}-co-{i + 1:04d}",
        }
        rows.append((country, data))
    return rows


def _contact_row(
    b: Builder, i: int, users: dict[str, User], companies: Sequence[tuple[Country, Company, str]]
) -> dict[str, Any]:
    country = b.country()
    names, given_ascii, family_ascii = b.person(country)
    local_companies = [c for c in companies if c[0].code == country.code] or list(companies)
    employer = b.rng.choice(local_companies) if b.rng.random() < 0.8 else None
    fake = b.fakers[country.code]
    team = employer[1].team_id if employer and employer[1].team_id else country.team
    owner = b.rng.choice(_owners(users, team))
    emails = []
    if employer:
        emails.append({"address": b.email(given_ascii, family_ascii, employer[2]), "label": "work"})
    if not employer or b.rng.random() < 0.3:
        personal = b.rng.choice(("example.com", "example.net", "example.org"))
        emails.append({"address": b.email(given_ascii, family_ascii, personal), "label": "home"})
    if b.rng.random() < 0.08:  # typed carelessly: the door trims and keeps the raw form
        local, _, domain = emails[0]["address"].partition("@")
        emails[0]["address"] = f"  {local}@{domain.upper()} "
    stage = b.rng.choices(list(LIFECYCLE_WEIGHTS), weights=list(LIFECYCLE_WEIGHTS.values()))[0]
    customer = stage in (LifecycleStage.CUSTOMER, LifecycleStage.EVANGELIST)
    job = fake.job()[:160]
    custom: dict[str, Any] = {
        "preferred_channel": b.rng.choice(("email", "email", "phone", "sms", "messenger")),
        "newsletter": b.rng.random() < 0.45,
    }
    if customer and b.rng.random() < 0.7:
        custom["nps_score"] = b.rng.choices(range(11), weights=(1, 1, 1, 1, 2, 2, 3, 5, 8, 8, 6))[0]
    row: dict[str, Any] = {
        **names,
        "job_title": job,
        "department": b.rng.choice(DEPARTMENTS),
        "country": country.name if b.rng.random() < 0.3 else country.code,
        "language": country.language,
        "birthday": (date(1960, 1, 1) + timedelta(days=b.rng.randrange(365 * 42))).isoformat()
        if b.rng.random() < 0.4
        else None,
        "lifecycle_stage": stage,
        "lead_status": b.rng.choice(LeadStatus.values)
        if stage in (LifecycleStage.LEAD, LifecycleStage.MQL, LifecycleStage.SQL)
        else "",
        "lead_source": b.rng.choice(LeadSource.values),
        "interests": b.rng.sample(INTERESTS, k=b.rng.randint(0, 3)),
        "purchase_count": b.rng.randint(1, 40) if customer else 0,
        "total_spend": f"{b.rng.randint(200, 250_000)}.{b.rng.randint(0, 99):02d}"
        if customer
        else "0",
        "site_visit_count": b.rng.randint(0, 300),
        "email_click_count": b.rng.randint(0, 60),
        "support_contact_count": b.rng.randint(0, 12) if customer else 0,
        "emails": emails,
        "phones": [{"number": b.phone(country, mobile=True), "label": "mobile"}],
        "addresses": [{**b.address(country), "label": "work" if employer else "home"}]
        if b.rng.random() < 0.7
        else [],
        "companies": [{"company_id": employer[1].pk, "job_title": job}] if employer else [],
        "owner_id": owner.pk,
        "team_id": owner.team_id,
        "tags": b.rng.sample(CONTACT_TAGS, k=b.rng.choice((0, 0, 1, 1, 2, 3))),
        "custom_fields": custom,
        "external_id": f"demo-{b.seed}-ct-{i + 1:05d}",
    }
    if b.rng.random() < 0.1:
        row["notes"] = fake.paragraph(nb_sentences=2)
    return {k: v for k, v in row.items() if v is not None}


def _near_duplicate(b: Builder, row: dict[str, Any], i: int) -> dict[str, Any]:
    """The same person entered again elsewhere: same e-mail in other case, phone retyped."""
    return {
        "given_name": f" {row['given_name']} ",
        "family_name": row["family_name"],
        "country": row["country"],
        "emails": [{"address": row["emails"][0]["address"].strip().upper(), "label": "work"}],
        "phones": row["phones"],
        "owner_id": row["owner_id"],
        "team_id": row["team_id"],
        "lifecycle_stage": LifecycleStage.LEAD,
        "custom_fields": {"newsletter": False},
        "external_id": f"demo-{b.seed}-ct-{i + 1:05d}",
    }


def load_demo(
    *, contacts: int = 300, companies: int = 60, seed: int = 42, progress: Progress | None = None
) -> DemoReport:
    """Load demo users, custom fields, companies and contacts. Refuses to load a seed twice."""
    tick: Progress = progress or (lambda stage, done, total: None)
    prefix = f"demo-{seed}-"
    if Company.objects.filter(external_id__startswith=prefix).exists():
        raise DemoAlreadyLoaded(f"demo data for seed {seed} is already loaded; use another seed.")
    report = DemoReport()
    builder = Builder(seed)
    with transaction.atomic():
        users = _ensure_users(report)
        _ensure_fields()
    tick("users and fields", 1, 1)

    saved: list[tuple[Country, Company, str]] = []
    company_rows = _company_rows(builder, companies, users)
    for n, (country, data) in enumerate(company_rows, start=1):
        company = save_company(
            data, actor=None, channel=Channel.SYSTEM, source={"demo_seed": seed}
        ).record
        saved.append((country, company, data["domains"][0]))
        tick("companies", n, len(company_rows))
    # A few subsidiaries, to show company hierarchies.
    for _, child, _ in saved[len(COUNTRIES) : len(COUNTRIES) + max(1, companies // 20)]:
        parent = builder.rng.choice([c for _, c, _ in saved if c.pk != child.pk])
        save_company({"parent_id": parent.pk}, actor=None, channel=Channel.SYSTEM, company=child)
    report.companies = len(saved)

    duplicates = min(max(1, contacts // 60), contacts // 2) if contacts >= 2 else 0
    unique = contacts - duplicates
    rows = [_contact_row(builder, i, users, saved) for i in range(unique)]
    done = 0
    for start in range(0, unique, BATCH):
        batch = rows[start : start + BATCH]
        result = save_contacts_bulk(
            batch, actor=None, channel=Channel.SYSTEM, sources=[{"demo_seed": seed}] * len(batch)
        )
        report.rejected.update({start + k: v for k, v in result.errors.items()})
        report.contacts += len(result.created)
        done += len(batch)
        tick("contacts", done, contacts)
    for k in range(duplicates):
        original = rows[builder.rng.randrange(unique)]
        saved_dup = save_contact(
            _near_duplicate(builder, original, unique + k),
            actor=None,
            channel=Channel.SYSTEM,
            source={"demo_seed": seed},
        )
        report.contacts += 1
        report.duplicate_warnings += bool(saved_dup.warnings)
        done += 1
        tick("contacts", done, contacts)
    # Deals before activities (calls are logged on deals), segments over both; the duplicate
    # scan comes last so its demo merge carries deals, activities and list memberships along.
    for area in (demo_deals, demo_activities, demo_segments, demo_dedupe):
        report.extras.update(area.load(seed, users, tick))
    return report
