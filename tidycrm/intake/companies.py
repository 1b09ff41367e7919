"""The companies an import's rows name, found or created for a whole chunk at once.

A name is matched case-insensitively among the companies the importer may see (through the
indexed name key, then the exact folded name); the names not found are created through the
company door's bulk form. A company gets the web domain of a work e-mail of a row that names it
when it has none (free-mail providers excluded).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tidycrm.accounts.models import User
from tidycrm.audit.choices import Channel
from tidycrm.companies.models import Company
from tidycrm.companies.services import save_companies_bulk
from tidycrm.hygiene.companies import company_name_key, domain_from_email
from tidycrm.hygiene.text import clean


def name_key(name: str) -> str:
    """How rows name one company: spacing and case do not matter."""
    return clean(name).casefold()


@dataclass
class Wanted:
    """A company a chunk names: its name as first written, a domain, the first row's source."""

    name: str
    domain: str = ""
    source: dict[str, Any] | None = None
    domain_source: dict[str, Any] | None = None  # the row whose e-mail gave the domain


@dataclass
class Resolved:
    ids: dict[str, int] = field(default_factory=dict)  # by name_key
    errors: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    domain_given: dict[str, int] = field(default_factory=dict)  # found, and given a domain


def work_domain(emails: Iterable[Any]) -> str:
    """The company domain of the first work (not free-mail) address among a row's e-mails."""
    for email in emails:
        address = email.get("address", "") if isinstance(email, dict) else email
        domain = domain_from_email(str(address or ""))
        if domain:
            return domain
    return ""


def resolve(wanted: dict[str, Wanted], *, actor: User | None) -> Resolved:
    """Ids for every wanted name (key -> id); the missing ones created in one bulk call."""
    out = Resolved()
    if not wanted:
        return out
    out.ids = find([w.name for w in wanted.values()], actor=actor)
    out.domain_given = _give_domains(
        {k: (out.ids[k], w) for k, w in wanted.items() if k in out.ids and w.domain}, actor
    )
    missing = [key for key in wanted if key not in out.ids]
    if not missing:
        return out
    rows = []
    for key in missing:
        row: dict[str, Any] = {"name": wanted[key].name}
        if wanted[key].domain:
            row["domains"] = [wanted[key].domain]
        rows.append(row)
    saved = save_companies_bulk(
        rows, actor=actor, channel=Channel.IMPORT, sources=[wanted[k].source for k in missing]
    )
    for index, key in enumerate(missing):
        new_id = saved.ids[index]
        if new_id is None:
            errors = saved.errors.get(index, {})
            out.errors[key] = {"company": [f"{f}: {m}" for f, ms in errors.items() for m in ms]}
        else:
            out.ids[key] = out.created[key] = new_id
    return out


def find(names: Iterable[str], *, actor: User | None) -> dict[str, int]:
    """The companies the actor may see with these names, by name_key (nothing is created)."""
    names = list(names)
    if not names:
        return {}
    companies = Company.objects.all()
    if actor is not None:
        from tidycrm.accounts.selectors import visible

        companies = visible(companies, actor)
    keys = {company_name_key(name) for name in names}
    wanted = {name_key(name) for name in names}
    ids: dict[str, int] = {}
    # Company's own ordering (sort key, id), as `.first()` on a name look-up gave.
    found = companies.filter(name_key__in=keys).order_by("sort_key", "pk")
    for pk, name in found.values_list("pk", "name"):
        key = name_key(name)
        if key in wanted:
            ids.setdefault(key, pk)
    return ids


def _give_domains(found: dict[str, tuple[int, Wanted]], actor: User | None) -> dict[str, int]:
    """A found company with no web domain takes the one of a work e-mail naming it, through the
    company door (audited, channel import, the row as source); returns key -> company id."""
    from tidycrm.companies.models import CompanyDomain
    from tidycrm.companies.services import save_company

    if not found:
        return {}
    ids = {pk: key for key, (pk, _) in found.items()}
    have = set(
        CompanyDomain.objects.filter(company_id__in=ids).values_list("company_id", flat=True)
    )
    given: dict[str, int] = {}
    for company in Company.objects.filter(pk__in=set(ids) - have):
        key = ids[company.pk]
        entry = found[key][1]
        save_company(
            {"domains": [entry.domain]},
            actor=actor,
            channel=Channel.IMPORT,
            company=company,
            source=entry.domain_source or entry.source,
        )
        given[key] = company.pk
    return given
