"""Run an import: a dry run that writes nothing, and the real run in chunks that survive a crash.

Each chunk's writes, its ledger rows, its rejects and the job's checkpoint (rows consumed and the
running counts) commit in one transaction. A worker killed mid-chunk leaves nothing of that
chunk; a restarted worker skips the rows the checkpoint names and carries on, so no row is lost
or written twice. A second runner of the same job finds the checkpoint moved and stops.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from tidycrm.accounts.models import User
from tidycrm.audit.choices import Channel
from tidycrm.contacts.duplicates import alias_owners
from tidycrm.contacts.models import AliasKind, Contact, ContactEmail
from tidycrm.contacts.services import bulk_parallel, save_contact, save_contacts_bulk, standardise
from tidycrm.contacts.services.bulk_ahead import Ahead
from tidycrm.core import bulk_write, planner
from tidycrm.core.collector import batch_pace
from tidycrm.core.exceptions import DomainError
from tidycrm.core.jobs import FINISHED, JobCancelled, finish_job, start_job
from tidycrm.core.models import Job, JobStatus
from tidycrm.hygiene.text import clean
from tidycrm.intake import companies, ledger
from tidycrm.intake.choices import Mode, RecordAction, Stage
from tidycrm.intake.formats.rows import contact_row_data
from tidycrm.intake.formats.spreadsheet import unescape_cell
from tidycrm.intake.mapping import IGNORED_PREFIX, RowInput, build_input, cell_value
from tidycrm.intake.models import Import, ImportRecord, ImportReject
from tidycrm.intake.reading import FileRejected, Resume, Row, Table, open_table
from tidycrm.records import steps

log = logging.getLogger(__name__)
CHUNK_ROWS = 2_000  # from 1,000 rows the bulk door prepares rows in worker processes
PROBLEMS_KEPT = 1_000
STANDARD = "standard"  # mapping {"*": "standard"}: the export's own columns, read as exported
Progress = Callable[[int, int | None], None]


class Stale(Exception):
    """Another runner moved this job's checkpoint: this one stops."""


class Aborted(Exception):
    """A row was rejected while the user asked for all rows or none."""


@dataclass
class Item:
    row: Row
    data: dict[str, Any] = field(default_factory=dict)
    company: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    key: Any = None
    match_id: int | None = None
    company_id: int | None = None


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Item] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)  # ImportRecord columns


class Context:
    def __init__(self, imp: Import, *, write: bool) -> None:
        self.imp = imp
        self.actor: User | None = imp.created_by
        self.write = write
        self.mapping = {int(k): v for k, v in imp.mapping.items() if k != "*"}
        self.standard = imp.mapping.get("*") == STANDARD
        self.match = list(imp.match or ["external_id"])
        self.companies: dict[str, int] = {}
        self.seen: dict[Any, int] = {}  # match keys met in earlier chunks of a dry run
        self.table: Table | None = None

    def source(self, row: Row) -> dict[str, Any]:
        return {"file": self.imp.file_name, "row": row.number, "import_job": self.imp.pk}

    def visible(self) -> Any:
        from tidycrm.accounts.selectors import visible

        contacts = Contact.objects.all()
        return visible(contacts, self.actor) if self.actor else contacts


def chunk_rows() -> int:
    value: Any = os.environ.get("TIDYCRM_IMPORT_CHUNK_ROWS")
    value = value or getattr(settings, "TIDYCRM_IMPORT_CHUNK_ROWS", CHUNK_ROWS)
    return max(1, int(value))


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# -- one row -----------------------------------------------------------------------------------


def prepare(ctx: Context, row: Row) -> Item:
    item = Item(row)
    if row.problem:
        item.errors["row"] = [row.problem]
        return item
    if ctx.standard:
        assert ctx.table is not None
        cells: dict[str, str] = {}
        for name, raw in zip(ctx.table.header, row.values, strict=True):
            if name.startswith(IGNORED_PREFIX):
                continue
            value = unescape_cell(raw)
            if value == raw:
                value, problem = cell_value(raw)
                if problem:
                    item.errors.setdefault(name, []).append(problem)
            cells[name] = value
        item.data, item.company = contact_row_data(cells)
        if cells.get("id", "").isdigit():
            item.key = int(cells["id"]) if ctx.match == ["id"] else None
    else:
        built: RowInput = build_input(row.values, ctx.mapping, ctx.imp.defaults or {})
        item.data, item.company, item.errors = built.data, built.company, built.errors
    if len(item.company) > 255:
        item.errors["company"] = ["is longer than 255 characters."]
    return item


# -- matching ----------------------------------------------------------------------------------


def _keys(ctx: Context, items: list[Item]) -> None:
    fields = ctx.match
    for item in items:
        if fields == ["id"]:
            continue  # set by prepare from the file's id column
        if fields == ["external_id"]:
            item.key = clean(str(item.data.get("external_id") or "")) or None
        elif fields == ["email"]:
            emails = item.data.get("emails") or []
            item.key = ledger.email_key(str(emails[0]["address"])) if emails else None
            item.key = item.key or None
        else:
            subset = {f: item.data[f] for f in fields if f in item.data}
            draft = standardise(subset, actor=None, channel=Channel.IMPORT)
            values = tuple(_fold(draft.fields.get(f)) for f in fields)
            item.key = values if all(v not in (None, "") for v in values) else None


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def find_matches(ctx: Context, items: list[Item]) -> None:
    """Set `match_id` from the database, or an error when the key names several contacts."""
    _keys(ctx, items)
    keyed = [i for i in items if i.key is not None]
    if not keyed:
        return
    found: dict[Any, set[int]] = {}
    fields = ctx.match
    contacts = ctx.visible()
    if fields == ["id"]:
        ids = contacts.filter(pk__in=[i.key for i in keyed]).values_list("pk", flat=True)
        found = {pk: {pk} for pk in ids}
    elif fields == ["external_id"]:
        # The exclude repeats the unique index's condition word for word: SQLite uses a partial
        # index only then, and without it scanned every contact for each chunk.
        pairs = (
            contacts.filter(external_id__in=[i.key for i in keyed])
            .exclude(external_id="")
            .values_list("external_id", "pk")
        )
        found = {k: {pk} for k, pk in pairs}
        # An external id merged away into another contact names that survivor: the row updates
        # it, and the survivor keeps its own external id.
        missing = [i.key for i in keyed if i.key not in found]
        owners = alias_owners(AliasKind.EXTERNAL_ID, missing)
        visible_owners = set(contacts.filter(pk__in=owners.values()).values_list("pk", flat=True))
        for item in keyed:
            owner = owners.get(item.key)
            if owner is not None and owner in visible_owners:
                found[item.key] = {owner}
                item.data.pop("external_id", None)
    elif fields == ["email"]:
        pairs = ContactEmail.objects.filter(
            key__in=[i.key for i in keyed], contact__in=contacts
        ).values_list("key", "contact_id")
        for k, pk in pairs:
            found.setdefault(k, set()).add(pk)
    else:
        query = Q()
        for item in keyed:  # case-insensitive, as people see names and cities
            query |= Q(**{f"{f}__iexact": v for f, v in zip(fields, item.key, strict=True)})
        for values in contacts.filter(query).values_list(*fields, "pk"):
            found.setdefault(tuple(_fold(v) for v in values[:-1]), set()).add(values[-1])
    label = " + ".join(fields)
    for item in keyed:
        matches = found.get(item.key, set())
        if len(matches) > 1:
            item.errors.setdefault(fields[0], []).append(
                f"{len(matches)} contacts have this {label}; match on something unique."
            )
        elif matches:
            item.match_id = next(iter(matches))


# -- one chunk ---------------------------------------------------------------------------------


def process(
    ctx: Context, rows: list[Row], items: list[Item] | None = None, ahead: Ahead | None = None
) -> Outcome:
    """Validate, match and (when writing) save one chunk; rejects are returned, not raised.
    `items` and `ahead` are the chunk's rows as `look_ahead` prepared them, if it did."""
    out = Outcome()
    if items is None:
        items = [prepare(ctx, row) for row in rows]
    valid = [i for i in items if not i.errors]
    find_matches(ctx, valid)
    mode = ctx.imp.mode
    label = " + ".join(ctx.match)
    creates: list[Item] = []
    updates: list[Item] = []
    later: list[Item] = []
    in_chunk: dict[Any, int] = {}
    first_values: dict[Any, list[str]] = {}
    for item in valid:
        if item.errors:
            continue
        if item.match_id:
            if mode == Mode.CREATE:
                item.errors[ctx.match[0]] = [
                    f"a contact with this {label} exists already (#{item.match_id})."
                ]
            else:
                updates.append(item)
        elif mode == Mode.UPDATE:
            item.errors[ctx.match[0]] = [
                f"no contact has this {label}." if item.key is not None else "is empty."
            ]
        elif item.key is not None and (item.key in in_chunk or item.key in ctx.seen):
            first = in_chunk.get(item.key) or ctx.seen.get(item.key)
            if mode == Mode.CREATE:
                item.errors[ctx.match[0]] = [f"appears twice in the file (first in row {first})."]
            else:
                if first_values.get(item.key) == item.row.values:
                    out.unchanged += 1  # the same row again: nothing to update
                else:
                    later.append(item)  # the row before creates it; this one updates it
        else:
            if item.key is not None:
                in_chunk[item.key] = item.row.number
                first_values[item.key] = item.row.values
            creates.append(item)
    if ctx.write:
        _write(ctx, creates, updates, later, out, ahead)
    else:
        _check(ctx, creates, updates, later, out)
        if len(ctx.seen) < 2_000_000:
            ctx.seen.update(in_chunk)
    out.rejects = [i for i in items if i.errors]
    return out


def _check(
    ctx: Context, creates: list[Item], updates: list[Item], later: list[Item], out: Outcome
) -> None:
    lookups = steps.Lookups()
    for item in creates:
        draft = standardise(item.data, actor=ctx.actor, lookups=lookups, channel=Channel.IMPORT)
        item.errors.update(draft.errors)
        out.created += not draft.errors
    contacts = Contact.objects.in_bulk([i.match_id for i in updates])
    for item in updates:
        contact = contacts[item.match_id]
        payload = ledger.merge_for_update(contact, item.data, None)
        draft = standardise(
            payload, actor=ctx.actor, instance=contact, lookups=lookups, channel=Channel.IMPORT
        )
        item.errors.update(draft.errors)
        out.updated += not draft.errors
    out.updated += len(later)


def _link_companies(ctx: Context, items: list[Item], out: Outcome) -> None:
    """Each item's company id in `item.company_id`: found or created for the whole chunk."""
    wanted: dict[str, companies.Wanted] = {}
    for item in items:
        key = companies.name_key(item.company) if item.company else ""
        if not key or key in ctx.companies:
            continue
        entry = wanted.setdefault(
            key, companies.Wanted(clean(item.company), source=ctx.source(item.row))
        )
        if not ctx.standard and not entry.domain:  # an export's own layout is the whole record
            entry.domain = companies.work_domain(item.data.get("emails") or ())
            entry.domain_source = ctx.source(item.row) if entry.domain else None
    resolved = companies.resolve(wanted, actor=ctx.actor)
    ctx.companies.update(resolved.ids)
    for key, pk in resolved.created.items():
        row = wanted[key].source or {}
        out.records.append(
            _ledger(
                ctx,
                row_number=int(row.get("row", 0)),
                action=RecordAction.COMPANY,
                company_id=pk,
            )
        )
    for key, pk in resolved.domain_given.items():  # a revert takes the domain away again
        row = wanted[key].domain_source or {}
        out.records.append(
            _ledger(
                ctx,
                row_number=int(row.get("row", 0)),
                action=RecordAction.UPDATE,
                company_id=pk,
                before={"domains": []},
            )
        )
    for item in items:
        if item.company:
            key = companies.name_key(item.company)
            if key in resolved.errors:
                item.errors.update(resolved.errors[key])
            item.company_id = ctx.companies.get(key)


def _affiliate(item: Item, company_id: int) -> None:
    job_title = item.data.get("job_title", "")
    item.data["companies"] = [{"company_id": company_id, "job_title": job_title}]


def look_ahead(ctx: Context, rows: list[Row]) -> tuple[list[Item], Ahead | None]:
    """The next chunk's items, and the standardisation of those it may create begun in the
    worker processes, to run while this chunk is written (contacts.services.bulk_ahead).

    Only what can be known now is handed over: a row naming a company not in the database yet
    waits for its chunk, which creates the company (nothing is written ahead of its chunk, so
    a crash or a cancel leaves exactly what it did before).
    """
    items = [prepare(ctx, row) for row in rows]
    large = len(rows) >= bulk_parallel.threshold() and bulk_parallel.workers() > 0
    if not large or ctx.imp.mode == Mode.UPDATE:
        return items, None
    valid = [i for i in items if not i.errors]
    names = {i.company for i in valid if i.company}
    known = dict(ctx.companies)
    known |= companies.find(
        [n for n in names if companies.name_key(n) not in known], actor=ctx.actor
    )
    ready: list[dict[str, Any]] = []
    for item in valid:
        if item.company:
            company_id = known.get(companies.name_key(item.company))
            if company_id is None:
                continue
            _affiliate(item, company_id)
        ready.append(item.data)
    return items, Ahead(ready, actor=ctx.actor, channel=Channel.IMPORT) if ready else None


def _write(
    ctx: Context,
    creates: list[Item],
    updates: list[Item],
    later: list[Item],
    out: Outcome,
    ahead: Ahead | None = None,
) -> None:
    _link_companies(ctx, creates, out)
    ready: list[Item] = []
    for item in creates:
        if item.company:
            if item.company_id is None:
                continue
            _affiliate(item, item.company_id)
        ready.append(item)
    result = save_contacts_bulk(
        [i.data for i in ready],
        actor=ctx.actor,
        channel=Channel.IMPORT,
        sources=[ctx.source(i.row) for i in ready],
        ahead=ahead,
    )
    saved = [i for n, i in enumerate(ready) if n not in result.errors]
    for n, errors in result.errors.items():
        ready[n].errors.update(errors)
    for item, contact in zip(saved, result.created, strict=True):
        out.records.append(
            _ledger(
                ctx,
                row_number=item.row.number,
                action=RecordAction.CREATE,
                contact_id=contact.pk,
            )
        )
    out.created += len(saved)
    if later:
        find_matches(ctx, later)
    for item in [*updates, *later]:
        if item.errors:
            continue
        if not item.match_id:
            item.errors[ctx.match[0]] = ["its first row was rejected, so it has nothing to update."]
            continue
        _update(ctx, item, out)


def _update(ctx: Context, item: Item, out: Outcome) -> None:
    assert item.match_id is not None
    contact = Contact.objects.get(pk=item.match_id)
    if item.company:
        _link_companies(ctx, [item], out)
    if item.errors:
        return
    payload = ledger.merge_for_update(contact, item.data, item.company_id)
    if not payload:
        out.unchanged += 1
        return
    before = ledger.snapshot(contact, payload)
    try:
        with transaction.atomic():
            saved = save_contact(
                payload,
                actor=ctx.actor,
                channel=Channel.IMPORT,
                contact=contact,
                source=ctx.source(item.row),
            )
    except DomainError as exc:
        item.errors.update(exc.field_errors or {"row": [exc.message]})
        return
    if saved.changes:
        out.updated += 1
        out.records.append(
            _ledger(
                ctx,
                row_number=item.row.number,
                action=RecordAction.UPDATE,
                contact_id=contact.pk,
                before=before,
            )
        )
    else:
        out.unchanged += 1


# -- whole file --------------------------------------------------------------------------------


def problems_of(items: Iterable[Item]) -> Iterator[dict[str, Any]]:
    for item in items:
        for name, messages in item.errors.items():
            for message in messages:
                yield {"row": item.row.number, "field": name, "message": message}


def dry_run(imp: Import, progress: Progress | None = None) -> dict[str, Any]:
    """Counts to be created, updated and rejected, and every problem by row and field."""
    ctx = Context(imp, write=False)
    table = ctx.table = open_table_for(imp)
    summary: dict[str, Any] = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0}
    summary |= {"rejected": 0, "problems": [], "problems_total": 0, "notes": table.notes}
    for chunk in _chunks(table.rows(), chunk_rows()):
        out = process(ctx, chunk)
        summary["rows"] += len(chunk)
        summary["created"] += out.created
        summary["updated"] += out.updated
        summary["unchanged"] += out.unchanged
        summary["rejected"] += len(out.rejects)
        for problem in problems_of(out.rejects):
            summary["problems_total"] += 1
            if len(summary["problems"]) < PROBLEMS_KEPT:
                summary["problems"].append(problem)
        if progress:
            progress(summary["rows"], table.estimated_rows)
    return summary


def open_table_for(imp: Import) -> Table:
    from pathlib import Path

    return open_table(Path(imp.stored_path), imp.file_name)


def run_import(import_id: int, progress: Progress | None = None) -> Job:
    """Import the file from its checkpoint on; safe to call again after a crash."""
    imp = Import.objects.select_related("created_by").get(pk=import_id)
    assert imp.job_id is not None
    job = start_job(imp.job_id)
    if job.status in FINISHED:
        if job.status == JobStatus.CANCELLED:  # cancelled before it began
            _set_stage(imp, Stage.CANCELLED)
        return job
    try:
        if not imp.skip_invalid and not job.checkpoint.get("rows"):
            with batch_pace():
                summary = dry_run(imp)
            Import.objects.filter(pk=imp.pk).update(preview=summary)
            if summary["rejected"]:
                raise Aborted(
                    f"{summary['rejected']:,} rows have problems and the import takes all rows "
                    "or none: nothing was imported. Fix them (see the dry run) or allow "
                    "skipping invalid rows."
                )
        with batch_pace():
            _run_chunks(imp, job, progress)
    except JobCancelled:
        _set_stage(imp, Stage.CANCELLED)
        return finish_job(job.pk, cancelled=True, result=_counts(job.pk))
    except Stale:
        return Job.objects.get(pk=job.pk)
    except (Aborted, FileRejected) as exc:
        message = exc.message if isinstance(exc, FileRejected) else str(exc)
        if not imp.skip_invalid:
            revert_all(imp)
            message += " Rows already written were removed again."
        _set_stage(imp, Stage.FAILED)
        return finish_job(job.pk, error=message, result=_counts(job.pk))
    except Exception:
        log.exception("import %s failed", imp.pk)
        _set_stage(imp, Stage.FAILED)
        return finish_job(
            job.pk, error="The import stopped on an unexpected error.", result=_counts(job.pk)
        )
    _set_stage(imp, Stage.DONE)
    finished = finish_job(job.pk, result=_counts(job.pk))
    _refresh_statistics(finished)
    return finished


def _refresh_statistics(job: Job) -> None:
    """After a large import, the planner's statistics."""
    counts = job.result or {}
    written = int(counts.get("created", 0)) + int(counts.get("updated", 0))
    planner.refresh_after(written, what=f"import {job.pk}")


def _counts(job_id: int) -> dict[str, Any]:
    checkpoint = Job.objects.get(pk=job_id).checkpoint or {}
    return {
        k: checkpoint.get(k, 0) for k in ("rows", "created", "updated", "unchanged", "rejected")
    }


def _set_stage(imp: Import, stage: Stage) -> None:
    Import.objects.filter(pk=imp.pk).update(stage=stage, updated_at=timezone.now())


def _run_chunks(imp: Import, job: Job, progress: Progress | None) -> None:
    ctx = Context(imp, write=True)
    table = ctx.table = open_table_for(imp)
    checkpoint = job.checkpoint or {}
    start = int(checkpoint.get("rows", 0))
    # A restarted import seeks to the byte after its last committed row (CSV); the count of
    # rows is the fallback where it cannot (XLSX, UTF-16).
    resume = None
    if start and checkpoint.get("offset") is not None:
        resume = Resume(int(checkpoint["offset"]), int(checkpoint["number"]))
    done = start
    chunks = _chunks(table.rows(skip=start, resume=resume), chunk_rows())
    chunk: list[Row] | None = next(chunks, None)
    items: list[Item] | None = None
    ahead: Ahead | None = None
    while chunk is not None:
        # The next chunk is read before this one is written and its standardisation handed to
        # the workers; a file problem in it stops the import once this chunk is committed.
        following: list[Row] | None = None
        unreadable: FileRejected | None = None
        try:
            following = next(chunks, None)
        except FileRejected as exc:
            unreadable = exc
        next_items: list[Item] | None = None
        next_ahead: Ahead | None = None
        try:
            with transaction.atomic():
                locked = _lock(job.pk, done)
                if following:
                    next_items, next_ahead = look_ahead(ctx, following)
                out = process(ctx, chunk, items, ahead)
                if out.rejects and not imp.skip_invalid:
                    first = out.rejects[0]
                    raise Aborted(f"row {first.row.number} was rejected: {first.errors}.")
                done = _commit_chunk(ctx, locked, chunk, out, done)
        except BaseException:
            if next_ahead is not None:
                next_ahead.cancel()
            raise
        if progress:
            progress(done, table.estimated_rows)
        if unreadable is not None:
            raise unreadable
        chunk, items, ahead = following, next_items, next_ahead
    Job.objects.filter(pk=job.pk).update(total=done)


def _lock(job_id: int, done: int) -> Job:
    """The job, locked for this chunk's transaction, if this runner is still the one running it."""
    locked = Job.objects.select_for_update().get(pk=job_id)
    if locked.status != JobStatus.RUNNING or int((locked.checkpoint or {}).get("rows", 0)) != done:
        raise Stale
    if locked.cancel_requested:
        raise JobCancelled
    return locked


def _commit_chunk(ctx: Context, locked: Job, chunk: list[Row], out: Outcome, done: int) -> int:
    """The chunk's ledger, rejects and the job's checkpoint, in the chunk's transaction."""
    imp = ctx.imp
    _insert_all(ImportRecord, out.records)
    _insert_all(
        ImportReject,
        [
            {
                "batch_id": imp.pk,
                "row_number": i.row.number,
                "values": i.row.values,
                "errors": i.errors,
            }
            for i in out.rejects
        ],
    )
    done += len(chunk)
    checkpoint = dict(locked.checkpoint or {})
    checkpoint["rows"] = done
    checkpoint["offset"], checkpoint["number"] = chunk[-1].end, chunk[-1].number
    for name, n in (
        ("created", out.created),
        ("updated", out.updated),
        ("unchanged", out.unchanged),
        ("rejected", len(out.rejects)),
    ):
        checkpoint[name] = int(checkpoint.get(name, 0)) + n
    delay = float(os.environ.get("TIDYCRM_IMPORT_TEST_CHUNK_DELAY", "0") or 0)
    if delay:
        time.sleep(delay)  # tests: widen the window in which a worker can be killed
    assert ctx.table is not None
    locked.checkpoint = checkpoint
    locked.done = done
    locked.total = max(done, ctx.table.estimated_rows or 0)
    locked.updated_at = timezone.now()
    locked.save(update_fields=["checkpoint", "done", "total", "updated_at"])
    return done


def _ledger(ctx: Context, **values: Any) -> dict[str, Any]:
    """An ImportRecord row of this import, as columns: no model instance per written row."""
    return {"batch_id": ctx.imp.pk, **values}


def _insert_all(model: type[Model], rows: Sequence[dict[str, Any]]) -> None:
    """The ledger's rows with one set-based insert (bulk_create's SQL compiler cost as much
    per row as the contact it records)."""
    if not rows:
        return
    table = bulk_write.Table(model)
    defaults = table.defaults()
    bulk_write.insert(table.name, table.columns, [table.row(r, defaults)[1] for r in rows])


def revert_all(imp: Import, *, actor: User | None = None, job_id: int | None = None) -> int:
    """Undo every write of the import not undone yet, newest first, in resumable chunks."""
    source = {"revert_of_import": imp.pk, "file": imp.file_name}
    undone = 0
    while True:
        with transaction.atomic():
            batch = list(
                ImportRecord.objects.filter(batch=imp, reverted=False).order_by("-id")[:200]
            )
            if not batch:
                return undone
            for record in batch:
                ledger.revert_record(record, actor=actor or imp.created_by, source=source)
            undone += len(batch)
            if job_id:
                Job.objects.filter(pk=job_id).update(done=undone, updated_at=timezone.now())
                if Job.objects.filter(pk=job_id, cancel_requested=True).exists():
                    raise JobCancelled
