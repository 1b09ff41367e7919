"""The `tidycrm` command: serve the app, run the task worker, manage the database and users."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tidycrm.dedupe.cli import app as duplicates_app
from tidycrm.intake.cli import import_command, revert_command

app = typer.Typer(
    name="tidycrm",
    help="TidyCRM: a self-hosted CRM whose data stays clean.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)

DB_TASK_BACKEND = "django_tasks_db.DatabaseBackend"


_ready = False


def _django() -> None:
    """Configure Django once, after the environment is final (serve changes DEBUG first)."""
    global _ready
    if _ready:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidycrm.settings")
    import django
    from django.conf import settings

    django.setup()
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    _ready = True


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}")
    return typer.Exit(code)


def _domain_error(exc: Exception) -> typer.Exit:
    field_errors: dict[str, list[str]] = getattr(exc, "field_errors", None) or {}
    if field_errors:
        return _fail(
            "\n".join(f"{name}: {' '.join(problems)}" for name, problems in field_errors.items())
        )
    return _fail(str(exc))


def _migrate() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    plan = MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    )
    if not plan:
        console.print("Database schema is up to date.")
        return
    with console.status(f"Applying {len(plan)} migrations…"):
        call_command("migrate", interactive=False, verbosity=0)
    console.print(f"Applied {len(plan)} migrations.")


def _print_logins(logins: list[Any], url: str | None = None) -> None:
    table = Table(title="Sign in with", show_lines=False)
    for column in ("user", "role", "team", "password"):
        table.add_column(column)
    for login in logins:
        password = login.password or "[dim](unchanged)[/]"
        style = "bold" if login.role == "admin" else None
        table.add_row(login.username, login.role, login.team or "", password, style=style)
    console.print(table)
    if any(login.password for login in logins):
        console.print("[yellow]These passwords are shown once and stored only as hashes.[/]")
    if url:
        console.print(f"Open [bold cyan]{url}[/]")


def _load_demo(contacts: int, companies: int, seed: int) -> Any:
    from tidycrm.demo import load_demo

    columns = (
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        tasks: dict[str, Any] = {}

        def tick(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        report = load_demo(contacts=contacts, companies=companies, seed=seed, progress=tick)
    console.print(
        f"Loaded {report.companies} companies and {report.contacts} contacts "
        f"({report.duplicate_warnings} flagged as likely duplicates)."
    )
    if report.extras:
        console.print(
            "Also: "
            + ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in report.extras.items())
            + "."
        )
    if report.rejected:
        err.print(f"[yellow]{len(report.rejected)} demo rows were rejected by the door:[/]")
        for index, errors in list(report.rejected.items())[:10]:
            err.print(f"  row {index}: {errors}")
    return report


def migrate() -> None:
    """Create or update the database schema."""
    _django()
    _migrate()


def createuser(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[
        str, typer.Option(help="admin, manager, sales, marketing, support, read_only")
    ] = "sales",
    password: Annotated[str | None, typer.Option(help="Password (prefer --prompt).")] = None,
    prompt: Annotated[bool, typer.Option("--prompt", help="Ask for the password.")] = False,
    email: Annotated[str, typer.Option(help="E-mail address.")] = "",
    team: Annotated[str | None, typer.Option(help="Team name; created when new.")] = None,
) -> None:
    """Create a user with a role (admins can also use the operators' admin site)."""
    _django()
    from tidycrm.accounts.services import create_user, get_or_create_team
    from tidycrm.core.exceptions import DomainError

    if prompt or password is None:
        if not sys.stdin.isatty() and not prompt:
            raise _fail("give --password or --prompt (no terminal to ask on).")
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            username=username,
            password=password,
            role=role,
            email=email,
            team=get_or_create_team(team) if team else None,
            is_superuser=role == "admin",
        )
    except DomainError as exc:
        raise _domain_error(exc) from None
    console.print(f"Created user [bold]{user.username}[/] with role {user.role}.")


def demo(
    contacts: Annotated[int, typer.Option(min=1, max=100_000, help="How many contacts.")] = 300,
    companies: Annotated[int, typer.Option(min=1, max=10_000, help="How many companies.")] = 60,
    seed: Annotated[int, typer.Option(help="Same seed, same data.")] = 42,
) -> None:
    """Load demo users, custom fields, companies and contacts through the normal door."""
    _django()
    _migrate()
    from tidycrm.demo import DemoAlreadyLoaded

    try:
        report = _load_demo(contacts, companies, seed)
    except DemoAlreadyLoaded as exc:
        raise _fail(str(exc)) from None
    _print_logins(report.logins)


def check(
    fail_level: Annotated[str, typer.Option(help="ERROR or WARNING")] = "ERROR",
) -> None:
    """Django's system checks; with TIDYCRM_ENV=production also the deployment checks."""
    _django()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=settings.PRODUCTION, fail_level=fail_level.upper())
    except SystemCheckError as exc:
        err.print(str(exc))
        raise typer.Exit(1) from None
    if settings.PRODUCTION:
        console.print("Deployment checks passed.")


def _task_backend_is_db() -> bool:
    from django.conf import settings

    return bool(settings.TASKS["default"]["BACKEND"] == DB_TASK_BACKEND)


def worker() -> None:
    """Run the background task worker only (stop with Ctrl-C)."""
    _django()
    if not _task_backend_is_db():
        raise _fail(f"the task backend is not {DB_TASK_BACKEND}; its own worker runs the tasks.")
    from django.core.management import call_command

    supervisor = os.environ.get("TIDYCRM_SUPERVISOR_PID")
    if supervisor:
        threading.Thread(target=_exit_with_parent, args=(int(supervisor),), daemon=True).start()
    from tidycrm.intake.services import resume_stalled

    for import_id in resume_stalled():  # a crashed worker's imports go on from their checkpoint
        console.print(f"Resuming import #{import_id}.")
    from tidycrm.dedupe.services.scan import resume_stalled as resume_stalled_scans

    for job_id in resume_stalled_scans():  # likewise a duplicate scan silent for too long
        console.print(f"Resuming duplicate scan job #{job_id}.")
    from tidycrm.core.schedule import start_in_background

    start_in_background()  # periodic jobs (reminders, alerts) run beside the task queue
    call_command("db_worker", reload=False)


def _exit_with_parent(parent_pid: int) -> None:
    """Stop gracefully if `tidycrm serve` went away without stopping us (e.g. killed -9)."""
    while os.getppid() == parent_pid:
        time.sleep(2)
    os.kill(os.getpid(), signal.SIGTERM)


class _Supervised:
    """The task worker as a child process, restarted if it dies, stopped with the server."""

    def __init__(self, argv: list[str]) -> None:
        self.argv = argv
        self.stopping = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.thread = threading.Thread(target=self._run, name="tidycrm-worker", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        # Own session: Ctrl-C reaches the server, which then stops the worker in order.
        env = {**os.environ, "TIDYCRM_SUPERVISOR_PID": str(os.getpid())}
        return subprocess.Popen(self.argv, start_new_session=True, env=env)  # noqa: S603

    def _run(self) -> None:
        backoff = 1.0
        while not self.stopping.is_set():
            started = time.monotonic()
            self.process = self._spawn()
            code = self.process.wait()
            if self.stopping.is_set():
                return
            backoff = 1.0 if time.monotonic() - started > 60 else min(backoff * 2, 30)
            err.print(f"[yellow]Task worker exited ({code}); restarting in {backoff:.0f}s.[/]")
            self.stopping.wait(backoff)

    def stop(self, timeout: float = 15) -> None:
        self.stopping.set()
        process = self.process
        if process and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.thread.join(timeout)


def _first_start(no_demo: bool) -> None:
    from tidycrm.accounts.models import User
    from tidycrm.demo import ensure_admin

    if User.objects.exists():
        console.print("Sign in with an existing user (add one with `tidycrm createuser`).")
        return
    if no_demo:
        _print_logins([ensure_admin()])
    else:
        console.print("First start: loading demo data.")
        _print_logins(_load_demo(300, 60, 42).logins)


def _run_server(host: str, port: int, workers: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    # WSGI requests run on blocking threads; a small pool per worker keeps SQLite and the CPU
    # from being oversubscribed, and backpressure queues the rest in the accept backlog.
    server = Granian(
        "tidycrm.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=4,
        backpressure=16,
        websockets=False,
        log_access=False,
        respawn_failed_workers=True,
    )
    server.serve()


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Web worker processes.")] = 2,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Do not run the task worker.")
    ] = False,
    no_demo: Annotated[
        bool, typer.Option("--no-demo", help="No demo data on first start.")
    ] = False,
) -> None:
    """Migrate, collect static files, then serve the web app and run the task worker."""
    os.environ.setdefault("DEBUG", "0")  # a served app never shows tracebacks by default
    _django()
    from django.core.management import call_command

    _migrate()
    with console.status("Collecting static files…"):
        call_command("collectstatic", interactive=False, verbosity=0)
    _first_start(no_demo)
    supervisor = None
    if not no_worker and _task_backend_is_db():
        supervisor = _Supervised([sys.executable, "-m", "tidycrm", "worker"])
        supervisor.start()
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host  # noqa: S104
    console.print(
        f"TidyCRM is at [bold cyan]http://{shown}:{port}/[/] "
        f"({workers} web workers{', task worker' if supervisor else ''}). Stop with Ctrl-C."
    )
    try:
        _run_server(host, port, workers)
    finally:
        if supervisor:
            with console.status("Stopping the task worker…"):
                supervisor.stop()
        console.print("Stopped.")


def export(
    kind: Annotated[str, typer.Argument(help="contacts or companies")],
    file: Annotated[Path, typer.Argument(help="FILE.csv, FILE.xlsx or FILE.vcf (contacts)")],
    conditions: Annotated[
        list[str] | None,
        typer.Option("--filter", help="key=value as in the list filters; repeat for more."),
    ] = None,
    user: Annotated[
        str | None, typer.Option(help="Export what this user can see (default: everything).")
    ] = None,
) -> None:
    """Export contacts or companies, filtered like the lists, to CSV, XLSX or vCard."""
    _django()
    import shutil

    from tidycrm.accounts.models import User
    from tidycrm.core.exceptions import DomainError
    from tidycrm.intake.exports import export_companies, export_contacts

    fmt = file.suffix.lower().lstrip(".")
    pairs = [item.partition("=") for item in conditions or []]
    if any(not sep for _, sep, _ in pairs):
        raise _fail("--filter takes key=value, e.g. --filter country=DE.")
    filters = {k.strip(): v for k, _, v in pairs if k.strip() != "cf"}
    cf = [v for k, _, v in pairs if k.strip() == "cf"]
    actor = User.objects.filter(username=user).first() if user else None
    if user and actor is None:
        raise _fail(f"there is no user '{user}'.")
    exporters = {"contacts": export_contacts, "companies": export_companies}
    if kind not in exporters:
        raise _fail(f"'{kind}' is not contacts or companies.")
    try:
        with console.status(f"Exporting {kind}…"):
            result = exporters[kind](actor, fmt, filters, cf)
            if result.path is not None:
                shutil.move(result.path, file)
            else:
                with file.open("wb") as out:
                    for chunk in result.chunks or ():
                        out.write(chunk)
    except DomainError as exc:
        raise _domain_error(exc) from None
    console.print(f"Wrote {file} ({file.stat().st_size:,} bytes).")


for command in (serve, worker, migrate, createuser, demo, check, export):
    app.command()(command)
app.command("import")(import_command)
app.command("import-revert")(revert_command)
app.add_typer(duplicates_app, name="duplicates")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
