"""kill -9 of the worker mid-import, then a restart: every row exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tidycrm.audit.models import ChangeRecord
from tidycrm.contacts.models import Contact
from tidycrm.core.models import Job, JobStatus
from tidycrm.intake import services
from tidycrm.intake.choices import Stage
from tidycrm.intake.models import ImportRecord

ROWS = 2_000
ROOT = Path(__file__).resolve().parents[3]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **env,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "tidycrm.settings",
        "TIDYCRM_DATA_DIR": str(tmp_path / "worker-data"),
        "TIDYCRM_IMPORT_CHUNK_ROWS": "50",
        "TIDYCRM_IMPORT_TEST_CHUNK_DELAY": "0.15",
    }


def _wait(predicate, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_kill_9_mid_import_then_restart_loses_and_doubles_nothing(admin, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    lines = ["external_id,first_name,last_name,email"]
    lines += [f"K{i},Person{i},Crash,p{i}@example.com" for i in range(ROWS)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    with path.open("rb") as stream:
        imp = services.create_import(stream, "big.csv", actor=admin)
    services.start_import(imp, actor=admin)  # queued for the database worker
    imp.refresh_from_db()
    job_id = imp.job_id
    python = sys.executable
    first = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [python, "-m", "django", "db_worker", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(lambda: Job.objects.get(pk=job_id).done >= 300)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    job = Job.objects.get(pk=job_id)
    assert job.status == JobStatus.RUNNING
    assert 300 <= job.done < ROWS
    assert Contact.objects.count() == job.done  # the chunk being written was rolled back
    # the restart seeks to the byte after the last committed row
    assert job.checkpoint["offset"] == len("\n".join(lines[: job.done + 1]).encode()) + 1
    assert job.checkpoint["number"] == job.done + 1
    second = subprocess.Popen(  # noqa: S603
        [python, "-m", "tidycrm", "worker"],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(lambda: Job.objects.get(pk=job_id).status != JobStatus.RUNNING)
    finally:
        second.terminate()
        second.wait(timeout=30)
    job = Job.objects.get(pk=job_id)
    imp.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert imp.stage == Stage.DONE
    assert job.result["created"] == ROWS
    assert Contact.objects.count() == ROWS
    assert set(Contact.objects.values_list("external_id", flat=True)) == {
        f"K{i}" for i in range(ROWS)
    }
    rows = list(ImportRecord.objects.filter(batch=imp).values_list("row_number", flat=True))
    assert sorted(rows) == list(range(2, ROWS + 2))
    audits = ChangeRecord.objects.filter(
        action="create", channel="import", object_repr__contains="Crash"
    )
    assert audits.count() == ROWS
