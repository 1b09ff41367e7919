"""The `tidycrm` command: users, demo data through the door, checks, and the server's life cycle."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from typer.testing import CliRunner

from tidycrm.accounts.models import User
from tidycrm.activities.models import Activity
from tidycrm.audit.models import ChangeRecord
from tidycrm.cli import app
from tidycrm.companies.models import Company
from tidycrm.contacts.models import Contact
from tidycrm.deals.models import Deal
from tidycrm.dedupe.models import MergedRecord
from tidycrm.demo.generate import ascii_word, romanise_hangul

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A child process on its own SQLite file, whatever database the test run uses."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "PYTHONDONTWRITEBYTECODE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return {**env, "TIDYCRM_DATA_DIR": str(tmp_path / "data"), **extra}


@pytest.mark.django_db
def test_createuser_makes_a_user_with_role_team_and_hashed_password() -> None:
    result = runner.invoke(
        app,
        [
            "createuser",
            "carol",
            "--role",
            "manager",
            "--password",
            "plum-orchard-77-quiet",
            "--team",
            "North",
            "--email",
            "carol@example.com",
        ],
    )
    assert result.exit_code == 0, result.output
    user = User.objects.get(username="carol")
    assert (user.role, user.team.name, user.email) == ("manager", "North", "carol@example.com")
    assert user.check_password("plum-orchard-77-quiet")
    assert "plum-orchard" not in user.password
    assert not user.is_superuser


@pytest.mark.django_db
def test_createuser_admin_can_use_the_operators_site() -> None:
    result = runner.invoke(
        app, ["createuser", "root2", "--role", "admin", "--password", "plum-orchard-77-quiet"]
    )
    assert result.exit_code == 0, result.output
    assert User.objects.get(username="root2").is_superuser


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["dave", "--role", "wizard", "--password", "plum-orchard-77-quiet"], "role"),
        (["dave", "--role", "sales", "--password", "12345678"], "password"),
        (["dave", "--role", "sales"], "--password"),  # no terminal to prompt on
    ],
)
def test_createuser_names_the_bad_field_and_creates_nothing(args: list[str], field: str) -> None:
    result = runner.invoke(app, ["createuser", *args])
    assert result.exit_code == 1
    assert field in result.output
    assert "Traceback" not in result.output
    assert not User.objects.filter(username="dave").exists()


@pytest.mark.django_db
def test_createuser_refuses_a_taken_username(make_user) -> None:
    make_user("sales", username="erin")
    result = runner.invoke(app, ["createuser", "ERIN", "--password", "plum-orchard-77-quiet"])
    assert result.exit_code == 1
    assert "taken" in result.output
    assert User.objects.filter(username__iexact="erin").count() == 1


@pytest.mark.django_db
def test_demo_loads_contacts_and_companies_through_the_door_with_history() -> None:
    result = runner.invoke(app, ["demo", "--contacts", "40", "--companies", "9", "--seed", "7"])
    assert result.exit_code == 0, result.output
    # The demo ends by merging one duplicate group, so one contact is merged away.
    merged_away = MergedRecord.objects.filter(kind="contact").count()
    assert merged_away == 1 and Contact.objects.count() == 40 - merged_away
    assert Company.objects.count() == 9
    assert "Loaded 9 companies and 40 contacts" in result.output

    # Every record has its creation in the history, written by the system channel.
    for model, count in ((Contact, 40), (Company, 9)):
        created = ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(model), action="create", channel="system"
        )
        assert created.count() == count  # a merge moves history to the survivor, keeps it whole
    # Standardised on the way in: E.164 phones, ISO countries, custom fields typed.
    contacts = Contact.objects.prefetch_related("phones", "emails")
    assert all(p.e164.startswith("+") for c in contacts for p in c.phones.all())
    assert {c.country for c in contacts} <= {"US", "GB", "DE", "FR", "TR", "KR", "TH"}
    assert len({c.country for c in contacts}) >= 4
    assert all(isinstance(c.custom_fields.get("newsletter"), bool) for c in contacts)
    assert all(c.owner_id and c.team_id for c in contacts)
    korean = [c for c in contacts if c.country == "KR"]
    assert all(
        " " not in c.display_name and c.display_name.startswith(c.family_name) for c in korean
    )
    # The demo logins are printed once; the users exist with their roles.
    roles = set(User.objects.values_list("role", flat=True))
    assert {"admin", "manager", "sales", "marketing", "support"} <= roles
    assert "admin" in result.output
    # Every area adds its own demo records, through its own services.
    assert Deal.objects.exists() and Activity.objects.exists()
    assert f"{Deal.objects.count()} deals" in result.output


@pytest.mark.django_db
def test_demo_refuses_to_load_the_same_seed_twice() -> None:
    assert (
        runner.invoke(app, ["demo", "--contacts", "3", "--companies", "2", "--seed", "9"]).exit_code
        == 0
    )
    again = runner.invoke(app, ["demo", "--contacts", "3", "--companies", "2", "--seed", "9"])
    assert again.exit_code == 1
    assert "already loaded" in again.output
    # Nothing more was written: the first load's 3 contacts, less any its demo merge took.
    assert Contact.objects.count() == 3 - MergedRecord.objects.filter(kind="contact").count()


def test_names_in_other_scripts_become_ascii_for_addresses() -> None:
    assert romanise_hangul("민준") == "minjun"
    assert ascii_word("김", "ko") == "kim"
    assert ascii_word("Müller", "de") == "mueller"
    assert ascii_word("Yıldırım", "tr") == "yildirim"


@pytest.mark.django_db
def test_check_passes() -> None:
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output


def test_check_runs_deployment_checks_in_production(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        TIDYCRM_ENV="production",
        ALLOWED_HOSTS="crm.example.com",
        SECRET_KEY="k" * 20 + "-a-long-random-production-secret-0123456789",
    )
    done = subprocess.run(
        [sys.executable, "-m", "tidycrm", "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Deployment checks passed" in done.stdout


def test_production_without_secret_key_says_what_is_missing(tmp_path: Path) -> None:
    env = _env(tmp_path, TIDYCRM_ENV="production")
    env.pop("SECRET_KEY", None)
    env.pop("ALLOWED_HOSTS", None)
    done = subprocess.run(
        [sys.executable, "-m", "tidycrm", "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr and "ALLOWED_HOSTS" in done.stderr


def _children(parent: int, word: str) -> list[int]:
    """Process ids whose parent is `parent` and whose command line contains `word`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(fields[1]) == parent and word in cmdline:
            found.append(int(stat.parent.name))
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_starts_with_worker_prints_a_login_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path,
) -> None:
    port = _free_port()
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "tidycrm",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-demo",
        ],
        env=_env(tmp_path, COLUMNS="200"),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        status = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=5
                ) as r:
                    status = r.status
            except OSError:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.5)
        assert status == 200
        worker_pids = _children(server.pid, "worker")
        assert worker_pids
    finally:
        server.send_signal(signal.SIGINT)
        code = server.wait(timeout=30)
    output = (tmp_path / "serve.log").read_text()
    assert code == 0, output
    assert re.search(r"admin\s+.*admin\s+.*\S{12,}", output), output  # the first login, once
    assert f"http://localhost:{port}/" in output
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in worker_pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in worker_pids), "task worker left running"
