"""What the apps' command-line pieces share: Django set up on demand, errors on stderr with
exit code 1, the acting user by name, and a progress bar fed by a `tick(done, total)` callback."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

Tick = Callable[[int, int | None], None]
console = Console()
err = Console(stderr=True)


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidycrm.settings")
    import django

    django.setup()


def fail(message: str) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}")
    return typer.Exit(1)


def acting_user(username: str | None) -> Any:
    """The active user of that name (None for none given); a clear error when there is none."""
    if not username:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise fail(f"no active user is named '{username}'.")
    return user


def run_with_bar(label: str, work: Callable[[Tick], Any], *, unit: str = "rows") -> Any:
    """Run `work(tick)` under a progress bar showing done of total and the rate per second."""
    bar = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
    with bar:
        task = bar.add_task(label, total=None, rate="")

        def tick(done: int, total: int | None) -> None:
            elapsed = bar.tasks[0].elapsed or 0
            rate = f"{done / elapsed:,.0f} {unit}/s" if elapsed else ""
            bar.update(task, completed=done, total=max(total or 0, done) or None, rate=rate)

        result = work(tick)
        done = bar.tasks[0].completed
        bar.update(task, total=done, completed=done)
        return result
