"""`tidycrm import FILE`: import in-process with a progress bar; `tidycrm import-revert ID`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tidycrm.core.cli_support import acting_user, console, fail, run_with_bar, setup


def _problems(exc: Any) -> typer.Exit:
    errors: dict[str, list[str]] = getattr(exc, "field_errors", None) or {}
    text = "\n".join(f"{k}: {' '.join(v)}" for k, v in errors.items()) or str(exc)
    return fail(text)


def _show_mapping(imp: Any) -> None:
    if imp.mapping.get("*"):
        console.print("Columns: TidyCRM's own export layout.")
        return
    table = Table(title=f"{imp.file_name}: {imp.kind.upper()} {imp.encoding} {imp.delimiter!r}")
    table.add_column("column")
    table.add_column("field")
    for index, name in enumerate(imp.header):
        target = imp.mapping.get(str(index))
        table.add_row(name, target or "[dim](not imported)[/]")
    console.print(table)


def import_command(
    file: Annotated[Path, typer.Argument(help="A .csv, .tsv or .xlsx file.")],
    mode: Annotated[str, typer.Option(help="create, update or upsert.")] = "upsert",
    match: Annotated[
        str | None,
        typer.Option(help="external_id, email, or fields joined by commas (default: detected)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; write nothing.")] = False,
    mapping: Annotated[str | None, typer.Option(help="Use a saved mapping by name.")] = None,
    save_mapping: Annotated[str | None, typer.Option(help="Save this mapping by name.")] = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--map", help="'Header=field' to map a column yourself; repeat."),
    ] = None,
    default: Annotated[
        list[str] | None,
        typer.Option("--default", help="'field=value' for empty cells; repeat."),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid/--all-or-nothing",
            help="Import the valid rows and report the rest (default), or nothing at all.",
        ),
    ] = True,
    user: Annotated[str | None, typer.Option(help="Import as this user.")] = None,
    rejects: Annotated[
        Path | None, typer.Option(help="Where to write rejected rows (default FILE.rejects.csv).")
    ] = None,
) -> None:
    """Import contacts (and their companies) from a CSV, TSV or XLSX file."""
    setup()
    from tidycrm.core.exceptions import DomainError
    from tidycrm.intake import services
    from tidycrm.intake.mapping import normalise_header
    from tidycrm.intake.runner import run_import

    actor = acting_user(user)
    if not file.is_file():
        raise fail(f"{file} is not a file.")
    try:
        with file.open("rb") as stream:
            imp = services.create_import(stream, file.name, actor=actor, mapping_name=mapping or "")
        chosen: dict[int, str] | None = None
        if column:
            chosen = {int(k): v for k, v in imp.mapping.items() if k != "*"}
            by_name = {normalise_header(h): i for i, h in enumerate(imp.header)}
            for item in column:
                header, _, target = item.rpartition("=")
                if normalise_header(header) not in by_name:
                    raise fail(f"--map: the file has no column '{header}'.")
                chosen[by_name[normalise_header(header)]] = target.strip()
        defaults = dict(item.split("=", 1) for item in default or [] if "=" in item)
        services.configure(
            imp,
            actor=actor,
            mapping=chosen,
            defaults=defaults or None,
            mode=mode,
            match=[m.strip() for m in match.split(",")] if match else None,
            skip_invalid=skip_invalid,
            save_as=save_mapping or "",
        )
        _show_mapping(imp)
        if dry_run:
            summary = run_with_bar("Checking", lambda tick: services.run_preview_inline(imp, tick))
            _print_summary(summary)
            return
        services.start_import(imp, actor=actor, inline=True)
        try:
            job = run_with_bar("Importing", lambda tick: run_import(imp.pk, tick))
        except KeyboardInterrupt:
            services.stop_inline(imp)
            raise fail(
                f"cancelled; rows imported so far stay (undo: tidycrm import-revert {imp.pk})."
            ) from None
    except DomainError as exc:
        raise _problems(exc) from None
    result = job.result
    console.print(
        f"Import #{imp.pk}: {result.get('created', 0):,} created, "
        f"{result.get('updated', 0):,} updated, {result.get('unchanged', 0):,} unchanged, "
        f"{result.get('rejected', 0):,} rejected."
    )
    if result.get("rejected"):
        report = rejects or file.with_name(file.stem + ".rejects.csv")
        with report.open("wb") as out:
            for chunk in services.rejects_csv(imp):
                out.write(chunk)
        console.print(f"Rejected rows with the reasons: {report} (fix and import it again).")
    if job.error:
        raise fail(job.error)


def _print_summary(summary: dict[str, Any]) -> None:
    if summary.get("error"):
        raise fail(summary["error"])
    console.print(
        f"Dry run of {summary['rows']:,} rows: {summary['created']:,} to create, "
        f"{summary['updated']:,} to update, {summary['rejected']:,} to reject. Nothing written."
    )
    for problem in summary["problems"][:20]:
        console.print(f"  row {problem['row']}: {problem['field']}: {problem['message']}")
    more = summary["problems_total"] - min(20, len(summary["problems"]))
    if more > 0:
        console.print(f"  … and {more:,} more problems.")


def revert_command(
    import_id: Annotated[int, typer.Argument(help="The import's number.")],
    user: Annotated[str | None, typer.Option(help="Revert as this user.")] = None,
) -> None:
    """Undo an import: remove the contacts it created, restore the ones it updated."""
    setup()
    from tidycrm.core.exceptions import DomainError
    from tidycrm.intake import services

    actor = acting_user(user)
    try:
        imp = services.get_import(actor, import_id)
        imp = services.start_revert(imp, actor=actor, inline=True)
    except DomainError as exc:
        raise _problems(exc) from None
    job = imp.revert_job
    if job is None or job.error:
        raise fail(job.error if job else "the revert did not run.")
    console.print(f"Import #{imp.pk} reverted: {job.result.get('reverted', 0):,} changes undone.")
