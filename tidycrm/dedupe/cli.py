"""`tidycrm duplicates ...`: scan, export, merge, rebuild-keys."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

app = typer.Typer(help="Find, export and merge duplicate records.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
# A spreadsheet would run a cell starting with these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidycrm.settings")
    import django

    django.setup()


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}")
    return typer.Exit(1)


def _user(username: str | None) -> Any:
    if not username:
        return None
    from tidycrm.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise _fail(f"no active user is named '{username}'.")
    return user


def _with_bar(label: str, work: Callable[[Callable[[int, int | None], None]], Any]) -> Any:
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(label, total=None)

        def tick(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=max(total or 0, done) or None)

        return work(tick)


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


KindOption = Annotated[str, typer.Option(help="contact or company.")]
UserOption = Annotated[str | None, typer.Option(help="Act as this user (default: the system).")]


@app.command()
def scan(
    kind: KindOption = "contact",
    user: UserOption = None,
    filter_: Annotated[
        list[str] | None,
        typer.Option("--filter", help="'name=value' as in the contact list's filters; repeat."),
    ] = None,
) -> None:
    """Scan for duplicates and fill the review queue (resumes a scan a crash interrupted)."""
    _setup()
    from tidycrm.core.exceptions import DomainError
    from tidycrm.dedupe.services.scan import latest_unfinished, run_scan, start_scan

    actor = _user(user)
    filters = dict(item.split("=", 1) for item in filter_ or [] if "=" in item)
    job = latest_unfinished(kind) if not filters else None
    if job is not None:
        console.print(f"Resuming scan #{job.pk} from its checkpoint.")
    else:
        try:
            job = start_scan(kind, actor=actor, filters=filters, inline=True)
        except DomainError as exc:
            raise _fail(exc.message) from None
    scan_id = job.pk
    done = _with_bar("Scanning", lambda tick: run_scan(scan_id, tick))
    if done.error:
        raise _fail(done.error)
    result: dict[str, Any] = done.result
    console.print(
        f"Scan #{done.pk}: {result.get('pairs', 0):,} likely duplicate pairs in "
        f"{result.get('groups_found', 0):,} groups ({result.get('groups_added', 0):,} new in "
        "the review queue)."
    )


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="Where to write the CSV of pairs.")],
    kind: KindOption = "contact",
) -> None:
    """Write the pairs considered duplicates: external_id_a,external_id_b,score."""
    _setup()
    from tidycrm.dedupe.selectors import export_pairs

    count = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["external_id_a", "external_id_b", "score"])
        for a, b, score in export_pairs(kind):
            writer.writerow([_cell(a), _cell(b), f"{score:.6f}"])
            count += 1
    console.print(f"{count:,} pairs written to {path}.")


@app.command()
def merge(
    min_score: Annotated[float, typer.Option("--min-score", help="Merge groups at or above.")],
    kind: KindOption = "contact",
    user: UserOption = None,
) -> None:
    """Merge every open group at or above the score, by the survivorship rule."""
    _setup()
    from tidycrm.dedupe.services.queue import accept_groups

    if not 0 < min_score <= 1:
        raise _fail("--min-score must be above 0 and at most 1.")
    outcome = accept_groups(kind, min_confidence=min_score, actor=_user(user), channel="system")
    console.print(f"{outcome.merged:,} groups merged.")
    for group_id, message in sorted((outcome.failed or {}).items()):
        console.print(f"  group {group_id} left for review: {message}")


@app.command("rebuild-keys")
def rebuild_keys(kind: KindOption = "contact") -> None:
    """Recompute every contact's (or company's) match keys (after an upgrade of the matching
    rules)."""
    _setup()
    if kind == "company":
        from tidycrm.companies.match_keys import rebuild_all
    elif kind == "contact":
        from tidycrm.contacts.services.match_keys import rebuild_all
    else:
        raise _fail("--kind must be contact or company.")
    _with_bar("Keys", lambda tick: rebuild_all(tick))
    console.print("Match keys rebuilt.")
