"""Steps 1-2 of the bulk door, and each row's search tokens and match keys, spread over the
machine's cores.

`standardise` is pure Python and CPU-bound (phone parsing, e-mail syntax, name casing), so a
large batch is split in equal shares: the calling process prepares one and worker processes
the others.
Workers never touch the database: every look-up `standardise` makes (entry policy, custom field
definitions, owners, teams, visible companies, company names for tokens) is read by the caller
first and sent along, so the workers see exactly what the caller's transaction sees. A worker
whose share needs anything else (its database is a dummy that refuses every query) hands the
share back and the caller prepares it itself: the result is always the in-process one.

Workers are started with "spawn" (no database connection crosses a fork), once per process, and
only for batches of at least TIDYCRM_BULK_PARALLEL_ROWS rows (default 400);
TIDYCRM_BULK_WORKERS (default: cores - 1) sets how many, 0 turns them off.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

import email_validator
from django.conf import settings

from tidycrm.accounts.models import User
from tidycrm.contacts import bulk_worker
from tidycrm.contacts.services.match_keys import draft_record, keys_of
from tidycrm.contacts.services.standardise import standardise
from tidycrm.contacts.services.tokens import contact_tokens
from tidycrm.core.door import Draft
from tidycrm.customfields.choices import RecordType
from tidycrm.records import steps

# A prepared row: its draft and, when the draft is valid, its search tokens and match keys (pure,
# so computed in the workers with the standard form). Only lists of strings come back with the
# draft: the caller unpickles every worker row, and the audit's nested change dicts or a matching
# record per row cost it more to unpickle (the cyclic collector's passes included) than to build.
Prepared = tuple[Draft, list[str], list[str]]
Reads = tuple[steps.Lookups, "CompanyNames"]
Pending = list[tuple[list[Mapping[str, Any]], "Future[list[Prepared] | None]"]]


_pool: ProcessPoolExecutor | None = None
# Rows prepared by workers, rows a worker handed back, seconds the caller spent waiting for the
# workers' shares (after preparing its own), and rows prepared ahead of their batch's write
# (bulk_ahead), since the process started.
stats: dict[str, float] = {
    "worker_rows": 0,
    "handed_back": 0,
    "caller_waited_s": 0.0,
    "ahead_rows": 0,
}


class CompanyNames(dict[int, str]):
    """Company names by id for tokens, read by the caller for the batch; one it did not read
    is queried (in a worker that fails, and the caller prepares the share itself)."""

    def __missing__(self, pk: int) -> str:
        from tidycrm.companies.models import Company

        name = Company.objects.filter(pk=pk).values_list("name", flat=True).first() or ""
        self[pk] = name
        return name


def workers() -> int:
    configured = getattr(settings, "TIDYCRM_BULK_WORKERS", None)
    if configured is not None:
        return max(0, int(configured))
    return max(0, (os.cpu_count() or 1) - 1)


def threshold() -> int:
    return int(getattr(settings, "TIDYCRM_BULK_PARALLEL_ROWS", 400))


def reads(rows: Sequence[Mapping[str, Any]], actor: User | None) -> Reads:
    """What preparing these rows reads from the database (the companies their affiliations
    name, which the actor may see, and their names for tokens), read here by the caller."""
    from tidycrm.companies.models import Company

    lookups = steps.Lookups()
    named = lookups.visible_ids(Company, actor, company_ids(rows))
    names = CompanyNames(
        Company.objects.filter(pk__in=named).values_list("pk", "name") if named else ()
    )
    return lookups, names


def company_ids(rows: Sequence[Mapping[str, Any]]) -> set[int]:
    """Company ids named by the rows' affiliations (malformed ones are the door's to report)."""
    ids: set[int] = set()
    for row in rows:
        for item in row.get("companies") or []:
            value = item.get("company_id") if isinstance(item, Mapping) else item
            if isinstance(value, int) and not isinstance(value, bool):
                ids.add(value)
            elif isinstance(value, str) and value.isdigit():
                ids.add(int(value))
    return ids


def prepare_rows(
    rows: Sequence[Mapping[str, Any]],
    *,
    actor: User | None,
    lookups: steps.Lookups,
    channel: str,
    company_names: CompanyNames,
) -> list[Prepared]:
    """Each row's draft and tokens, in row order; in workers when the batch is large."""
    args = (actor, lookups, channel, company_names)
    count = workers()
    if count == 0 or len(rows) < threshold():
        return [prepare(row, *args) for row in rows]
    # Equal shares: the caller writes only once every share is back, so a smaller share of
    # its own would leave it waiting for the workers, and a larger one them waiting for it.
    own = len(rows) // (count + 1)
    pending = submit(rows[own:], args)
    prepared = [prepare(row, *args) for row in rows[:own]]
    return prepared + collect(pending, args)


def submit(rows: Sequence[Mapping[str, Any]], args: tuple[Any, ...]) -> Pending:
    """Hand the rows to the workers in equal shares; `collect` waits for them."""
    count = workers()
    _prefill(rows, args[1], args[2])
    size = -(-len(rows) // count)
    shares = [list(rows[i : i + size]) for i in range(0, len(rows), size)]
    with _main_not_reimported():
        pool = _executor(count)
        return [(share, pool.submit(bulk_worker.work, share, *args)) for share in shares]


def collect(pending: Pending, args: tuple[Any, ...]) -> list[Prepared]:
    """The workers' shares in order; a share a worker could not prepare is prepared here."""
    prepared: list[Prepared] = []
    began = time.perf_counter()
    for share, future in pending:
        try:
            done = future.result()
        except Exception:  # a worker died or could not read its share: do it here
            _discard_pool()
            done = None
        if done is None:
            stats["handed_back"] += len(share)
            done = [prepare(row, *args) for row in share]
        else:
            stats["worker_rows"] += len(share)
        prepared += done
    stats["caller_waited_s"] += time.perf_counter() - began
    return prepared


def prepare(
    row: Mapping[str, Any],
    actor: User | None,
    lookups: steps.Lookups,
    channel: str,
    company_names: CompanyNames,
) -> Prepared:
    draft = standardise(row, actor=actor, lookups=lookups, channel=channel)
    if draft.errors:
        return draft, [], []
    keys = keys_of(draft_record(draft, None, company_names))
    return draft, draft_tokens(draft, company_names), keys


def draft_tokens(draft: Draft, company_names: CompanyNames) -> list[str]:
    """The tokens `refresh_search_tokens` stores for the contact this draft creates."""
    fields = draft.fields
    names = [
        fields.get("display_name", ""),
        fields.get("given_name", ""),
        fields.get("middle_name", ""),
        fields.get("family_name", ""),
        fields.get("external_id", ""),
        *(company_names[r["company_id"]] for r in draft.children.get("companies", ())),
    ]
    return contact_tokens(
        names,
        [row["address"] for row in draft.children.get("emails", ())],
        [(row["national_number"], row["e164"]) for row in draft.children.get("phones", ())],
    )


def _prefill(rows: Sequence[Mapping[str, Any]], lookups: steps.Lookups, channel: str) -> None:
    """Make the database reads `standardise` would make for these rows, into `lookups`."""
    lookups.policy("contact", channel)
    lookups.definitions_for(RecordType.CONTACT)
    for row in rows:
        for name, exists in (("owner_id", lookups.user_exists), ("team_id", lookups.team_exists)):
            value = row.get(name)
            if value in (None, "") or isinstance(value, bool):
                continue
            try:
                exists(int(value))
            except (TypeError, ValueError):
                continue


@contextmanager
def _main_not_reimported() -> Iterator[None]:
    """Spawned workers re-run the main script unless told otherwise, and a script without an
    `if __name__ == "__main__"` guard would run again in each of them: hide it while they start.
    Workers need nothing from it."""
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main and k in main.__dict__}
    for key in saved:
        setattr(main, key, None) if key == "__spec__" else delattr(main, key)
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(main, key, value)


def shutdown() -> None:
    """Stop the worker processes (they start again when needed)."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True)
        _pool = None


def _discard_pool() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def _executor(count: int) -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(
            max_workers=count,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=bulk_worker.start,
            initargs=(
                os.environ.get("DJANGO_SETTINGS_MODULE", "tidycrm.settings"),
                bool(email_validator.TEST_ENVIRONMENT),
            ),
        )
        atexit.register(_pool.shutdown, cancel_futures=True)
    return _pool
