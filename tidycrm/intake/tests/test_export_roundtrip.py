"""Export then import through the file import itself: nothing changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tidycrm.audit.choices import Action
from tidycrm.audit.models import ChangeRecord
from tidycrm.contacts.models import Contact
from tidycrm.intake.exports import export_contacts
from tidycrm.intake.tests.test_export import people  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_file_imports_without_changes(
    admin: Any,
    people: dict[str, Any],  # noqa: F811
    tmp_path: Path,
    settings: Any,
    fmt: str,
) -> None:
    from tidycrm.intake import services
    from tidycrm.intake.runner import run_import

    settings.DATA_DIR = tmp_path
    export = export_contacts(admin, fmt, {})
    path = tmp_path / f"contacts.{fmt}"
    if export.path is not None:
        export.path.rename(path)
    else:
        path.write_bytes(b"".join(export.chunks or ()))
    versions = dict(Contact.objects.values_list("pk", "version"))
    records = ChangeRecord.objects.count()
    with path.open("rb") as stream:
        imp = services.create_import(stream, path.name, actor=admin)
    services.start_import(imp, actor=admin, inline=True)
    run_import(imp.pk)
    imp.refresh_from_db()
    assert imp.mapping == {"*": "standard"}
    assert not imp.rejects.exists()
    assert imp.job is not None
    assert imp.job.status == "succeeded"
    assert imp.job.result == {
        "rows": 2,
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "rejected": 0,
    }
    updates = ChangeRecord.objects.filter(action=Action.UPDATE).exclude(changes={})
    assert list(updates.values_list("changes", flat=True)) == []
    assert ChangeRecord.objects.filter(action=Action.CREATE).count() <= records
    assert Contact.objects.count() == 2
    assert dict(Contact.objects.values_list("pk", "version")) == versions
