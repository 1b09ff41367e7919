"""`tidycrm duplicates ...`: scan, export, merge, rebuild-keys."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, Any

import typer

from tidycrm.core.cli_support import acting_user, console, fail, run_with_bar, setup

app = typer.Typer(help="Find, export and merge duplicate records.", no_args_is_help=True)
# A spreadsheet would run a cell starting with these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    setup()
    from tidycrm.core.exceptions import DomainError
    from tidycrm.dedupe.services.scan import latest_unfinished, run_scan, start_scan

    actor = acting_user(user)
    filters = dict(item.split("=", 1) for item in filter_ or [] if "=" in item)
    job = latest_unfinished(kind) if not filters else None
    if job is not None:
        console.print(f"Resuming scan #{job.pk} from its checkpoint.")
    else:
        try:
            job = start_scan(kind, actor=actor, filters=filters, inline=True)
        except DomainError as exc:
            raise fail(exc.message) from None
    scan_id = job.pk
    done = run_with_bar("Scanning", lambda tick: run_scan(scan_id, tick), unit="records")
    if done.error:
        raise fail(done.error)
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
    setup()
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
    setup()
    from tidycrm.dedupe.services.queue import accept_groups

    if not 0 < min_score <= 1:
        raise fail("--min-score must be above 0 and at most 1.")
    outcome = accept_groups(
        kind, min_confidence=min_score, actor=acting_user(user), channel="system"
    )
    console.print(f"{outcome.merged:,} groups merged.")
    for group_id, message in sorted((outcome.failed or {}).items()):
        console.print(f"  group {group_id} left for review: {message}")


@app.command("rebuild-keys")
def rebuild_keys(kind: KindOption = "contact") -> None:
    """Recompute every contact's (or company's) match keys (after an upgrade of the matching
    rules)."""
    setup()
    if kind == "company":
        from tidycrm.companies.match_keys import rebuild_all
    elif kind == "contact":
        from tidycrm.contacts.services.match_keys import rebuild_all
    else:
        raise fail("--kind must be contact or company.")
    run_with_bar("Keys", lambda tick: rebuild_all(tick), unit="records")
    console.print("Match keys rebuilt.")
