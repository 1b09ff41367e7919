"""Export contacts and companies as CSV, XLSX or vCard; import vCards.

Exports read through the same FilterSets and visibility as the lists, walk the rows in keyset
chunks of ids (constant memory for millions of rows) and load each chunk's e-mails, phones,
addresses, companies and tags in a fixed number of queries.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Literal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Model, Q, QuerySet, prefetch_related_objects

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Channel
from tidycrm.companies.filters import CompanyFilter
from tidycrm.companies.models import Company
from tidycrm.companies.selectors import visible_companies
from tidycrm.contacts.filters import ContactFilter
from tidycrm.contacts.models import Affiliation, Contact, ContactAddress, ContactEmail, ContactPhone
from tidycrm.contacts.selectors import visible_contacts
from tidycrm.core.exceptions import DomainError, ValidationFailed
from tidycrm.customfields.choices import RecordType
from tidycrm.customfields.selectors import definitions_for
from tidycrm.hygiene.text import clean
from tidycrm.intake import companies as named_companies
from tidycrm.intake.formats import spreadsheet, vcard
from tidycrm.intake.formats.rows import (
    ContactLayout,
    company_header,
    company_row,
    contact_row,
    contact_row_data,
)
from tidycrm.records.filtering import custom_field_filter
from tidycrm.tags.models import TaggedItem
from tidycrm.tags.selectors import tag_names_for

logger = logging.getLogger("tidycrm.export")

Format = Literal["csv", "xlsx", "vcf"]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "vcf": "text/vcard; charset=utf-8",
}
CHUNK = 2000
MIN_EMAILS = 2
MIN_PHONES = 2
MIN_ADDRESSES = 1


@dataclass
class ExportFile:
    """A finished XLSX file (`path`, the caller removes it) or a stream of bytes (`chunks`)."""

    filename: str
    content_type: str
    chunks: Iterator[bytes] | None = None
    path: Path | None = None


# -- selecting -------------------------------------------------------------------------------


def _filtered[M: Model](
    filterset_class: Any,
    queryset: QuerySet[M],
    record_type: str,
    filters: Mapping[str, str],
    cf: Sequence[str],
) -> QuerySet[M]:
    known = set(filterset_class.base_filters) - {"cf"}
    unknown = sorted(set(filters) - known)
    if unknown:
        raise ValidationFailed(
            {
                name: [f"is not a filter; use one of: {', '.join(sorted(known))}."]
                for name in unknown
            }
        )
    filterset = filterset_class(data=dict(filters), queryset=queryset)
    if not filterset.is_valid():
        raise ValidationFailed({name: list(msgs) for name, msgs in filterset.errors.items()})
    result: QuerySet[M] = filterset.qs
    if cf:
        result = custom_field_filter(result, record_type, list(cf))
    return result


def contacts_to_export(
    user: User | None, filters: Mapping[str, str], cf: Sequence[str] = ()
) -> QuerySet[Contact]:
    """The contacts a user may see that match the list filters (user None: every contact)."""
    if user is not None:
        require(user, Permission.VIEW)
    base = visible_contacts(user) if user is not None else Contact.objects.all()
    return _filtered(ContactFilter, base, RecordType.CONTACT, filters, cf)


def companies_to_export(
    user: User | None, filters: Mapping[str, str], cf: Sequence[str] = ()
) -> QuerySet[Company]:
    if user is not None:
        require(user, Permission.VIEW)
    base = visible_companies(user) if user is not None else Company.objects.all()
    return _filtered(CompanyFilter, base, RecordType.COMPANY, filters, cf)


def in_chunks[M: Model](queryset: QuerySet[M], size: int = CHUNK) -> Iterator[list[M]]:
    """Rows by ascending id, one chunk per query: the last id seen is the next chunk's start."""
    ordered = queryset.order_by("pk")
    last = 0
    while True:
        chunk = list(ordered.filter(pk__gt=last)[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def _most_children(model: type[Model], parent: str, ids: QuerySet[Any]) -> int:
    most = (
        model._default_manager.filter(**{f"{parent}_id__in": ids})
        .values(f"{parent}_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("n", flat=True)
        .first()
    )
    return int(most or 0)


def contact_layout(queryset: QuerySet[Contact]) -> ContactLayout:
    """Enough numbered columns for the contact with the most e-mails, phones and addresses."""
    ids = queryset.order_by().values("pk")
    return ContactLayout(
        emails=max(MIN_EMAILS, _most_children(ContactEmail, "contact", ids)),
        phones=max(MIN_PHONES, _most_children(ContactPhone, "contact", ids)),
        addresses=max(MIN_ADDRESSES, _most_children(ContactAddress, "contact", ids)),
        custom_keys=tuple(d.key for d in definitions_for(RecordType.CONTACT)),
    )


# Plain values, not model instances: building 1M model instances and their prefetch caches
# costs more than the queries themselves.
CONTACT_FIELDS = (
    "id",
    "external_id",
    "honorific",
    "given_name",
    "middle_name",
    "family_name",
    "suffix",
    "display_name",
    "job_title",
    "department",
    "city",
    "region",
    "country",
    "language",
    "lifecycle_stage",
    "lead_status",
    "lead_source",
    "birthday",
    "notes",
    "social_profiles",
    "custom_fields",
    "updated_at",
)
CHILD_ORDER = ("-is_primary", "id")
ADDRESS_FIELDS = ("street", "street2", "city", "region", "postal_code", "country", "label")


def _grouped(model: type[Model], ids: list[int], fields: Sequence[str]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = defaultdict(list)
    rows = (
        model._default_manager.filter(_among("contact_id", ids))
        .order_by("contact_id", *CHILD_ORDER)
        .values("contact_id", *fields)
    )
    wanted = set(ids)
    for row in rows:
        contact_id = row.pop("contact_id")
        if contact_id in wanted:
            found[contact_id].append(SimpleNamespace(**row))
    return found


def _among(column: str, ids: list[int]) -> Q:
    """Rows of these (ascending) ids: a range when the ids are dense (cheap to build and to
    run), an IN list when a filter left them sparse. Callers drop rows of other ids."""
    if ids[-1] - ids[0] < 2 * len(ids):
        return Q(**{f"{column}__gte": ids[0], f"{column}__lte": ids[-1]})
    return Q(**{f"{column}__in": ids})


def _contact_chunks(queryset: QuerySet[Contact]) -> Iterator[list[Any]]:
    """Chunks of contacts as plain records with their children, tags and primary company."""
    content_type = ContentType.objects.get_for_model(Contact)
    ordered = queryset.order_by("pk")
    last = 0
    while True:
        chunk = [
            SimpleNamespace(pk=row["id"], **row)
            for row in ordered.filter(pk__gt=last).values(*CONTACT_FIELDS)[:CHUNK]
        ]
        if not chunk:
            return
        last = chunk[-1].pk
        ids = [c.pk for c in chunk]
        emails = _grouped(ContactEmail, ids, ("address", "label"))
        phones = _grouped(ContactPhone, ids, ("e164", "raw", "extension", "label"))
        addresses = _grouped(ContactAddress, ids, ADDRESS_FIELDS)
        companies: dict[int, str] = {}
        affiliations = (
            Affiliation.objects.filter(_among("contact_id", ids))
            .order_by("contact_id", "-is_primary", "-is_current", "id")
            .values_list("contact_id", "company__name")
        )
        wanted = set(ids)
        for contact_id, name in affiliations:
            if contact_id in wanted:
                companies.setdefault(contact_id, name)
        tags: dict[int, list[str]] = defaultdict(list)
        tagged = (
            TaggedItem.objects.filter(_among("object_id", ids), content_type=content_type)
            .order_by("tag__key")
            .values_list("object_id", "tag__name")
        )
        for object_id, name in tagged:
            if object_id in wanted:
                tags[object_id].append(name)
        for contact in chunk:
            contact.emails = emails.get(contact.pk, [])
            contact.phones = phones.get(contact.pk, [])
            contact.addresses = addresses.get(contact.pk, [])
            contact.company = companies.get(contact.pk, "")
            contact.tags = tags.get(contact.pk, [])
        yield chunk


def contact_rows(queryset: QuerySet[Contact], layout: ContactLayout) -> Iterator[list[str]]:
    for chunk in _contact_chunks(queryset):
        for contact in chunk:
            yield contact_row(
                contact,
                layout=layout,
                emails=contact.emails,
                phones=contact.phones,
                addresses=contact.addresses,
                company=contact.company,
                tags=contact.tags,
            )


def contact_vcards(
    queryset: QuerySet[Contact], counter: RowCounter | None = None
) -> Iterator[bytes]:
    for chunk in _contact_chunks(queryset):
        yield "".join(vcard.write_vcard(_person(c)) for c in chunk).encode()
        if counter is not None:
            counter.add(len(chunk))


def _person(contact: Any) -> vcard.VCardPerson:
    return vcard.VCardPerson(
        uid=f"{vcard.UID_PREFIX}{contact.pk}",
        display_name=contact.display_name,
        given_name=contact.given_name,
        family_name=contact.family_name,
        middle_name=contact.middle_name,
        honorific=contact.honorific,
        suffix=contact.suffix,
        emails=[(e.address, e.label) for e in contact.emails],
        phones=[(p.e164 or p.raw, p.extension, p.label) for p in contact.phones],
        addresses=[{name: getattr(a, name) for name in ADDRESS_FIELDS} for a in contact.addresses],
        company=contact.company,
        department=contact.department,
        job_title=contact.job_title,
        birthday=contact.birthday,
        notes=contact.notes,
        tags=contact.tags,
        urls=[p.get("url", "") for p in contact.social_profiles or [] if p.get("url")],
        external_id=contact.external_id,
        revised=contact.updated_at,
    )


def company_rows(queryset: QuerySet[Company], custom_keys: Sequence[str]) -> Iterator[list[str]]:
    for chunk in in_chunks(queryset):
        prefetch_related_objects(chunk, "domains", "phones", "addresses")
        tags = tag_names_for(chunk)
        for company in chunk:
            yield company_row(
                company,
                custom_keys=custom_keys,
                domains=[d.domain for d in company.domains.all()],
                phones=list(company.phones.all()),
                addresses=list(company.addresses.all()),
                tags=tags.get(company.pk, []),
            )


# -- exporting -------------------------------------------------------------------------------


class RowCounter:
    """Counts the rows an export writes and reports every CHUNK rows (a job's progress)."""

    def __init__(self, tick: Callable[[int], None]) -> None:
        self.rows = 0
        self.tick = tick

    def add(self, count: int) -> None:
        before, self.rows = self.rows, self.rows + count
        if self.rows // CHUNK != before // CHUNK:
            self.tick(self.rows)

    def wrap[T](self, items: Iterable[T]) -> Iterator[T]:
        for item in items:
            yield item
            self.add(1)


def _file(kind: str, fmt: str, header: list[str], rows: Iterable[Sequence[Any]]) -> ExportFile:
    filename = f"{kind}.{fmt}"
    if fmt == "csv":
        return ExportFile(
            filename, CONTENT_TYPES["csv"], chunks=spreadsheet.csv_lines(header, rows)
        )
    try:
        path = spreadsheet.write_xlsx(header, rows, sheet=kind.capitalize())
    except spreadsheet.TooManyRows as exc:
        raise ValidationFailed({"format": [str(exc)]}) from exc
    return ExportFile(filename, CONTENT_TYPES["xlsx"], path=path)


def _log(
    kind: str, fmt: str, user: User | None, filters: Mapping[str, str], cf: Sequence[str]
) -> None:
    # Exports are logged, not written to the change log: they change no record (decision 0007).
    logger.info(
        "export %s.%s by %s filters=%s cf=%s",
        kind,
        fmt,
        user.username if user is not None else "(operator)",
        dict(filters),
        list(cf),
    )


def export_contacts(
    user: User | None,
    fmt: str,
    filters: Mapping[str, str],
    cf: Sequence[str] = (),
    *,
    counter: RowCounter | None = None,
) -> ExportFile:
    """Contacts the user may see matching the list filters, as CSV, XLSX or vCard 4.0."""
    if fmt not in CONTENT_TYPES:
        raise ValidationFailed({"format": [f"'{fmt[:20]}' is not one of: csv, xlsx, vcf."]})
    queryset = contacts_to_export(user, filters, cf)
    _log("contacts", fmt, user, filters, cf)
    if fmt == "vcf":
        chunks = contact_vcards(queryset, counter)
        return ExportFile("contacts.vcf", CONTENT_TYPES["vcf"], chunks=chunks)
    layout = contact_layout(queryset)
    rows = contact_rows(queryset, layout)
    return _file("contacts", fmt, layout.header, counter.wrap(rows) if counter else rows)


def export_companies(
    user: User | None,
    fmt: str,
    filters: Mapping[str, str],
    cf: Sequence[str] = (),
    *,
    counter: RowCounter | None = None,
) -> ExportFile:
    """Companies the user may see matching the list filters, as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed({"format": [f"'{fmt[:20]}' is not one of: csv, xlsx."]})
    queryset = companies_to_export(user, filters, cf)
    _log("companies", fmt, user, filters, cf)
    keys = [d.key for d in definitions_for(RecordType.COMPANY)]
    rows = company_rows(queryset, keys)
    return _file("companies", fmt, company_header(keys), counter.wrap(rows) if counter else rows)


# -- importing rows with the standard columns (vCard now; the file import reuses the parsing) --


@dataclass
class RowsResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        return len(self.errors)


def import_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    actor: User | None,
    source: str,
    spreadsheet_cells: bool = True,
    batch_size: int = 1000,
) -> RowsResult:
    """Rows with the standard columns into contacts, through the door.

    A row whose `id` names a contact the actor can see updates it (only the columns present);
    other rows are created in batches with save_contacts_bulk. Spreadsheet cells are unescaped
    first, so an exported file comes back unchanged. The companies rows name are found or
    created per batch, set-based, as the file import does (`intake.companies.resolve`).
    """
    if actor is not None:
        require(actor, Permission.EDIT)
    result = RowsResult()
    known: dict[str, int] = {}  # company name key -> id, for the whole file
    batch: list[tuple[int, dict[str, Any], str, str]] = []
    for index, raw in enumerate(rows):
        row = {k: "" if v is None else str(v) for k, v in raw.items()}
        if spreadsheet_cells:
            row = {k: spreadsheet.unescape_cell(v) for k, v in row.items()}
        data, company = contact_row_data(row)
        batch.append((index, data, company, row.get("id", "").strip()))
        if len(batch) >= batch_size:
            _import_batch(batch, known, actor=actor, source=source, result=result)
            batch = []
    _import_batch(batch, known, actor=actor, source=source, result=result)
    return result


def _import_batch(
    batch: list[tuple[int, dict[str, Any], str, str]],
    known: dict[str, int],
    *,
    actor: User | None,
    source: str,
    result: RowsResult,
) -> None:
    """One batch of `import_rows`: its companies resolved at once, then updates and creates."""
    from tidycrm.contacts.services import save_contact, save_contacts_bulk

    if not batch:
        return
    wanted: dict[str, named_companies.Wanted] = {}
    for index, _, company, _ in batch:
        key = named_companies.name_key(company) if company else ""
        if key and key not in known and key not in wanted:
            wanted[key] = named_companies.Wanted(
                clean(company), source={"file": source, "row": index + 1}
            )
    resolved = named_companies.resolve(wanted, actor=actor)
    known.update(resolved.ids)
    visible = visible_contacts(actor) if actor is not None else Contact.objects.all()
    existing = visible.in_bulk([int(pk) for _, _, _, pk in batch if pk.isdigit()])
    creates: list[tuple[int, dict[str, Any]]] = []
    for index, data, company, pk in batch:
        if company:
            key = named_companies.name_key(company)
            if key in resolved.errors:
                result.errors[index] = resolved.errors[key]
                continue
            data["companies"] = [{"company_id": known[key], "job_title": ""}]
        contact = existing.get(int(pk)) if pk.isdigit() else None
        if contact is None:
            creates.append((index, data))
            continue
        if company:
            # Keep the stored affiliation (title, other companies) when it names this one.
            names = [
                a.company.name.casefold() for a in contact.affiliations.select_related("company")
            ]
            if company.casefold() in names:
                del data["companies"]
        try:
            saved = save_contact(
                data,
                actor=actor,
                channel=Channel.IMPORT,
                contact=contact,
                source={"file": source, "row": index + 1},
            )
        except DomainError as exc:
            result.errors[index] = exc.field_errors or {"__all__": [exc.message]}
            continue
        if saved.changes:
            result.updated += 1
        else:
            result.unchanged += 1
    if creates:
        bulk = save_contacts_bulk(
            [data for _, data in creates],
            actor=actor,
            channel=Channel.IMPORT,
            sources=[{"file": source, "row": index + 1} for index, _ in creates],
        )
        result.created += len(bulk.created)
        for position, problems in bulk.errors.items():
            result.errors[creates[position][0]] = problems


def import_vcards(
    stream: Iterable[bytes | str], *, actor: User | None, source: str = "vcf"
) -> RowsResult:
    """Contacts from a vCard file (2.1, 3.0 or 4.0), through the door with channel import."""
    try:
        return import_rows(
            vcard.parse_vcards(stream), actor=actor, source=source, spreadsheet_cells=False
        )
    except vcard.VCardError as exc:
        raise ValidationFailed({"file": [str(exc)]}) from exc
