"""Uploaded files are deleted once the import is over and its revert window has passed."""

from __future__ import annotations

import io
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from tidycrm.contacts.models import Contact
from tidycrm.core.exceptions import Conflict
from tidycrm.intake import services
from tidycrm.intake.choices import Stage
from tidycrm.intake.models import Import

pytestmark = pytest.mark.django_db

FILE = "external_id,first_name,last_name\nP1,Pat,Lee\n"


def _age(imp: Import, days: int) -> None:
    Import.objects.filter(pk=imp.pk).update(updated_at=timezone.now() - timedelta(days=days))
    imp.refresh_from_db()


def test_finished_import_keeps_its_file_for_the_revert_window(admin, run_file, settings):
    settings.TIDYCRM_IMPORT_REVERT_DAYS = 30
    imp = run_file("people.csv", FILE, admin)
    assert imp.stage == Stage.DONE
    _age(imp, 29)
    assert services.purge_files() == []
    assert Path(imp.stored_path).exists()
    _age(imp, 31)
    assert services.purge_files() == [imp.pk]
    imp.refresh_from_db()
    assert not Path(imp.stored_path).exists()
    assert imp.file_deleted_at is not None
    assert Contact.objects.filter(external_id="P1").exists()  # records stay
    assert services.purge_files() == []  # once
    with pytest.raises(Conflict, match="can no longer be reverted"):
        services.start_revert(imp, actor=admin, inline=True)


def test_an_upload_never_started_is_cleared_and_cannot_start_later(admin, imports_dir):
    imp = services.create_import(io.BytesIO(FILE.encode()), "left.csv", actor=admin)
    _age(imp, 40)
    out = StringIO()
    call_command("purge_import_files", stdout=out)
    assert "Deleted the files of 1 imports" in out.getvalue()
    imp.refresh_from_db()
    assert not Path(imp.stored_path).exists()
    with pytest.raises(Conflict, match="upload it again"):
        services.start_import(imp, actor=admin)


def test_a_running_import_keeps_its_file(admin, imports_dir):
    imp = services.create_import(io.BytesIO(FILE.encode()), "busy.csv", actor=admin)
    Import.objects.filter(pk=imp.pk).update(stage=Stage.IMPORTING)
    _age(imp, 400)
    assert services.purge_files() == []
    assert Path(imp.stored_path).exists()


def test_nothing_outside_the_upload_folder_is_deleted(admin, imports_dir, tmp_path):
    imp = services.create_import(io.BytesIO(FILE.encode()), "odd.csv", actor=admin)
    outside = tmp_path.parent / f"{tmp_path.name}-keep.csv"
    outside.write_text("keep me")
    Import.objects.filter(pk=imp.pk).update(stored_path=str(outside))
    _age(imp, 400)
    assert services.purge_files() == [imp.pk]
    assert outside.exists()
    outside.unlink()


def test_the_worker_runs_the_cleanup_every_six_hours(admin, run_file):
    from tidycrm.core import schedule

    job = next(j for j in schedule.registered() if j.name == "purge-import-files")
    assert job.every == timedelta(hours=6)
    imp = run_file("people.csv", FILE, admin)
    assert job.work(timezone.now() + timedelta(days=31)) == {"imports": 1, "exports": 0}
    imp.refresh_from_db()
    assert not Path(imp.stored_path).exists()
