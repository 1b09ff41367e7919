"""Imports as the UI, the API and the CLI use them: upload, map, dry run, start, cancel, revert."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tidycrm.accounts.choices import Permission, Role
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.core.exceptions import Conflict, NotFound, ValidationFailed
from tidycrm.core.jobs import (
    FINISHED,
    JobCancelled,
    create_job,
    finish_job,
    request_cancel,
    start_job,
)
from tidycrm.core.models import Job
from tidycrm.customfields.choices import RecordType
from tidycrm.customfields.models import CustomFieldDefinition
from tidycrm.intake import runner
from tidycrm.intake.choices import Mode, Stage
from tidycrm.intake.formats.rows import ContactLayout
from tidycrm.intake.formats.spreadsheet import csv_lines
from tidycrm.intake.mapping import (
    CONTACT_FIELDS,
    check_mapping,
    mapping_from_saved,
    normalise_header,
    suggest_mapping,
)
from tidycrm.intake.models import Import, ImportMapping, ImportReject
from tidycrm.intake.reading import FileRejected, open_table

MATCH_SIMPLE = ("external_id", "email", "id")
MAX_UPLOAD = 4 * 1024**3


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def custom_keys() -> dict[str, str]:
    """Header text (label or key) -> custom field key, for contacts."""
    out: dict[str, str] = {}
    for key, label in CustomFieldDefinition.objects.filter(
        record_type=RecordType.CONTACT
    ).values_list("key", "label"):
        out[normalise_header(label)] = key
        out[normalise_header(key)] = key
    return out


def is_standard_header(header: list[str]) -> bool:
    """A file in the export's own layout (round trip): every column is one it writes."""
    known = set(ContactLayout(emails=9, phones=9, addresses=9).header) | {"name", "mobile"}
    return "email_label" in header and all(h in known or h.startswith("cf:") for h in header)


def create_import(
    stream: IO[bytes], name: str, *, actor: User | None, mapping_name: str = ""
) -> Import:
    """Store the upload, read its header and suggest a mapping; nothing is imported yet."""
    if actor is not None:
        require(actor, Permission.EDIT)
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in Path(name).name)[-120:]
    target = upload_dir() / f"{uuid.uuid4().hex}-{safe or 'upload'}"
    size = 0
    with target.open("wb") as out:
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_UPLOAD:
                out.close()
                target.unlink(missing_ok=True)
                raise FileRejected(f"the file is larger than {MAX_UPLOAD // 1024**3} GB.")
            out.write(chunk)
    try:
        table = open_table(target, name)
    except FileRejected:
        target.unlink(missing_ok=True)
        raise
    imp = Import(
        created_by=actor,
        file_name=Path(name).name[:255] or "upload",
        stored_path=str(target),
        size=size,
        kind=table.kind,
        encoding=table.encoding,
        delimiter=table.delimiter,
        header=table.header,
        estimated_rows=table.estimated_rows,
    )
    if mapping_name:
        saved = ImportMapping.objects.filter(name=mapping_name).first()
        if saved is None:
            target.unlink(missing_ok=True)
            raise ValidationFailed({"mapping": [f"no saved mapping is named '{mapping_name}'."]})
        imp.mapping = {
            str(k): v for k, v in mapping_from_saved(table.header, saved.columns).items()
        }
        imp.defaults = dict(saved.defaults)
    elif is_standard_header(table.header):
        imp.mapping = {"*": runner.STANDARD}
    else:
        suggested = suggest_mapping(table.header, custom_keys())
        imp.mapping = {str(k): v for k, v in suggested.items()}
    imp.match = [default_match(imp)]
    imp.save()
    return imp


def default_match(imp: Import) -> str:
    if imp.mapping.get("*") == runner.STANDARD:
        return "id" if "id" in imp.header else "external_id"
    targets = set(imp.mapping.values())
    if "external_id" in targets:
        return "external_id"
    return "email" if "email" in targets else "external_id"


def configure(
    imp: Import,
    *,
    actor: User | None,
    mapping: Mapping[int, str] | None = None,
    defaults: Mapping[str, str] | None = None,
    mode: str | None = None,
    match: list[str] | None = None,
    skip_invalid: bool | None = None,
    save_as: str = "",
) -> Import:
    """Change how the file is read; only before the import starts."""
    _editable(imp)
    errors: dict[str, list[str]] = {}
    if mapping is not None:
        errors |= check_mapping(mapping, len(imp.header))
        imp.mapping = {str(k): v for k, v in mapping.items()}
    if defaults is not None:
        bad = [k for k in defaults if not _known_target(k)]
        if bad:
            errors["defaults"] = [f"'{bad[0][:60]}' is not a field an import can fill."]
        elif any(len(str(v)) > 1000 or "\x00" in str(v) for v in defaults.values()):
            errors["defaults"] = ["a default value is too long or holds a NUL byte."]
        imp.defaults = {k: str(v) for k, v in defaults.items() if str(v).strip()}
    if mode is not None:
        if mode not in Mode.values:
            errors["mode"] = [f"must be one of {', '.join(Mode.values)}."]
        imp.mode = mode
    if match is not None:
        problem = _match_problem(match)
        if problem:
            errors["match"] = [problem]
        imp.match = list(match)
    if skip_invalid is not None:
        imp.skip_invalid = skip_invalid
    if errors:
        raise ValidationFailed(errors)
    if save_as:
        save_mapping(imp, save_as, actor=actor)
    imp.stage = Stage.UPLOADED
    imp.preview = {}
    imp.save()
    return imp


def _known_target(name: str) -> bool:
    from tidycrm.intake.mapping import is_target

    return is_target(name)


def _match_problem(match: list[str]) -> str:
    if not match or len(match) > 5:
        return "name one to five fields to match on."
    if len(match) == 1 and match[0] in MATCH_SIMPLE:
        return ""
    allowed = set(CONTACT_FIELDS) - {"name", "interests", "notes", "birthday"} | {
        "city",
        "region",
        "country",
    }
    bad = [m for m in match if m not in allowed]
    if bad:
        return f"cannot match on '{bad[0][:60]}'; use external_id, email or contact fields."
    return ""


def save_mapping(imp: Import, name: str, *, actor: User | None) -> ImportMapping:
    name = name.strip()[:120]
    if not name:
        raise ValidationFailed({"save_as": ["give the mapping a name."]})
    columns = {imp.header[int(k)]: v for k, v in imp.mapping.items() if k != "*"}
    saved, _ = ImportMapping.objects.update_or_create(
        name=name, defaults={"columns": columns, "defaults": imp.defaults, "created_by": actor}
    )
    return saved


def _editable(imp: Import) -> None:
    if imp.stage not in (Stage.UPLOADED, Stage.PREVIEWED, Stage.PREVIEWING):
        raise Conflict(f"import #{imp.pk} has started already ({imp.get_stage_display()}).")
    if imp.file_deleted_at is not None:
        raise Conflict(
            f"the file of import #{imp.pk} was deleted {revert_days()} days after it was left "
            "unused; upload it again."
        )


def revert_days() -> int:
    """How long an import can be undone and keeps its uploaded file (setting, default 30)."""
    return int(getattr(settings, "TIDYCRM_IMPORT_REVERT_DAYS", 30))


# Stages after which nothing reads the file again: finished, or never started.
_LEFT = (Stage.DONE, Stage.FAILED, Stage.CANCELLED, Stage.REVERTED, Stage.UPLOADED, Stage.PREVIEWED)


def purge_files(now: Any = None) -> list[int]:
    """Delete the uploaded files of imports finished (or left unstarted) longer ago than the
    revert window; returns their ids. The task worker runs it every six hours (a periodic job,
    see apps.py), after every import, and `manage.py purge_import_files` on demand; the
    ledger, the rejects and the history stay."""
    cutoff = (now or timezone.now()) - timedelta(days=revert_days())
    old = Import.objects.filter(stage__in=_LEFT, updated_at__lt=cutoff, file_deleted_at=None)
    purged: list[int] = []
    for imp in old.only("pk", "stored_path").iterator():
        path = Path(imp.stored_path)
        if path.is_relative_to(upload_dir()):  # never anything outside the upload folder
            path.unlink(missing_ok=True)
        Import.objects.filter(pk=imp.pk).update(file_deleted_at=timezone.now())
        purged.append(imp.pk)
    return purged


def get_import(actor: User | None, import_id: int) -> Import:
    """An import its creator, an admin or a manager may see."""
    imp = Import.objects.select_related("job", "preview_job", "revert_job").filter(pk=import_id)
    found = imp.first()
    if found is None or not _may_see(actor, found):
        raise NotFound(f"import {import_id} does not exist or you cannot see it.")
    return found


def _may_see(actor: User | None, imp: Import) -> bool:
    if actor is None or imp.created_by_id == actor.pk:
        return True
    return actor.role in (Role.ADMIN, Role.MANAGER)


def visible_imports(actor: User) -> Any:
    imports = Import.objects.select_related("job").order_by("-created_at")
    if actor.role in (Role.ADMIN, Role.MANAGER):
        return imports
    return imports.filter(created_by=actor)


def _enqueue(task: Any, import_id: int, inline: bool) -> None:
    if inline:
        return
    transaction.on_commit(lambda: task.enqueue(import_id))


def start_preview(imp: Import, *, actor: User | None, inline: bool = False) -> Import:
    from tidycrm.intake.tasks import preview_task

    _editable(imp)
    if not imp.mapping:
        raise ValidationFailed({"mapping": ["no column is mapped to a field."]})
    with transaction.atomic():
        imp.preview_job = create_job("import-dry-run", created_by=actor, params={"import": imp.pk})
        imp.stage = Stage.PREVIEWING
        imp.save(update_fields=["preview_job", "stage", "updated_at"])
        _enqueue(preview_task, imp.pk, inline)
    if inline:
        run_preview(imp.pk)
        imp.refresh_from_db()
    return imp


def run_preview(import_id: int, progress: runner.Progress | None = None) -> dict[str, Any]:
    imp = Import.objects.select_related("created_by").get(pk=import_id)
    job_id = imp.preview_job_id
    if job_id:
        start_job(job_id)

    def tick(done: int, total: int | None) -> None:
        if job_id:
            Job.objects.filter(pk=job_id).update(done=done, total=total, updated_at=timezone.now())
        if progress:
            progress(done, total)

    try:
        summary = runner.dry_run(imp, tick)
    except FileRejected as exc:
        summary = {"error": exc.message}
    Import.objects.filter(pk=imp.pk, stage=Stage.PREVIEWING).update(
        preview=summary, stage=Stage.PREVIEWED
    )
    if job_id:
        finish_job(job_id, result={k: v for k, v in summary.items() if k != "problems"})
    return summary


def run_preview_inline(imp: Import, progress: runner.Progress | None = None) -> dict[str, Any]:
    """A dry run in this process (the CLI), with progress."""
    _editable(imp)
    imp.stage = Stage.PREVIEWING
    imp.save(update_fields=["stage", "updated_at"])
    return run_preview(imp.pk, progress)


def stop_inline(imp: Import) -> None:
    """An in-process import interrupted (Ctrl-C): mark it cancelled, so no worker resumes it."""
    if imp.job_id:
        finish_job(imp.job_id, cancelled=True)
    Import.objects.filter(pk=imp.pk).update(stage=Stage.CANCELLED, updated_at=timezone.now())


def start_import(imp: Import, *, actor: User | None, inline: bool = False) -> Import:
    """Queue the import (or, inline, leave it for the caller to run with a progress bar)."""
    from tidycrm.intake.tasks import run_import_task

    if actor is not None:
        require(actor, Permission.EDIT)
    _editable(imp)
    if not imp.mapping:
        raise ValidationFailed({"mapping": ["no column is mapped to a field."]})
    with transaction.atomic():
        imp.job = create_job(
            "import", created_by=actor, params={"import": imp.pk}, total=imp.estimated_rows
        )
        imp.stage = Stage.IMPORTING
        imp.save(update_fields=["job", "stage", "updated_at"])
        _enqueue(run_import_task, imp.pk, inline)
    return imp


def cancel_import(imp: Import, *, actor: User | None) -> Import:
    for job_id in (imp.job_id, imp.preview_job_id, imp.revert_job_id):
        if job_id:
            request_cancel(job_id)
    if imp.stage in (Stage.UPLOADED, Stage.PREVIEWED, Stage.PREVIEWING):
        imp.stage = Stage.CANCELLED
        imp.save(update_fields=["stage", "updated_at"])
    return imp


def start_revert(imp: Import, *, actor: User | None, inline: bool = False) -> Import:
    from tidycrm.intake.tasks import revert_task

    if actor is not None:
        require(actor, Permission.DELETE)
    if imp.stage not in (Stage.DONE, Stage.CANCELLED, Stage.FAILED, Stage.REVERTING):
        raise Conflict(f"import #{imp.pk} cannot be reverted now ({imp.get_stage_display()}).")
    window = timezone.now() - timedelta(days=revert_days())
    if imp.stage != Stage.REVERTING and imp.updated_at < window:
        raise Conflict(
            f"import #{imp.pk} finished more than {revert_days()} days ago; it can no longer "
            "be reverted (edit the records, or restore them from their history)."
        )
    if imp.job_id and Job.objects.filter(pk=imp.job_id).exclude(status__in=FINISHED).exists():
        raise Conflict(f"import #{imp.pk} is still running; cancel it first.")
    with transaction.atomic():
        imp.revert_job = create_job(
            "import-revert",
            created_by=actor,
            params={"import": imp.pk},
            total=imp.records.filter(reverted=False).count(),
        )
        imp.stage = Stage.REVERTING
        imp.save(update_fields=["revert_job", "stage", "updated_at"])
        _enqueue(revert_task, imp.pk, inline)
    if inline:
        run_revert(imp.pk)
        imp.refresh_from_db()
    return imp


def run_revert(import_id: int) -> None:
    imp = Import.objects.select_related("created_by").get(pk=import_id)
    job_id = imp.revert_job_id
    assert job_id is not None
    job = start_job(job_id)
    if job.status in FINISHED:
        return
    actor = job.created_by or imp.created_by
    try:
        undone = runner.revert_all(imp, actor=actor, job_id=job_id)
    except JobCancelled:
        finish_job(job_id, cancelled=True)
        return
    except Exception as exc:  # a record the actor may not delete, a constraint...
        message = getattr(exc, "message", "") or "the revert stopped on an unexpected error."
        finish_job(job_id, error=message)
        runner.log.exception("revert of import %s failed", import_id)
        return
    Import.objects.filter(pk=imp.pk).update(stage=Stage.REVERTED, updated_at=timezone.now())
    finish_job(job_id, result={"reverted": undone})


def resume_stalled(queued_after: float = 60) -> list[int]:
    """Queue again the imports and reverts a dead worker left running (called when a worker
    starts). A second runner of a job still alive is harmless: the chunk checkpoint lets only
    one commit each chunk, and the other stops. Queued jobs are re-queued only when older than
    `queued_after` seconds (their task may have died before it started)."""
    from django.db.models import Q

    from tidycrm.intake.tasks import preview_task, revert_task, run_import_task

    cutoff = timezone.now() - timedelta(seconds=queued_after)
    resumed: list[int] = []
    for stage, field, task in (
        (Stage.IMPORTING, "job", run_import_task),
        (Stage.REVERTING, "revert_job", revert_task),
        (Stage.PREVIEWING, "preview_job", preview_task),
    ):
        stalled = Import.objects.filter(stage=stage).filter(
            Q(**{f"{field}__status": "running"})
            | Q(**{f"{field}__status": "queued", f"{field}__updated_at__lt": cutoff})
        )
        for imp in stalled:
            task.enqueue(imp.pk)
            resumed.append(imp.pk)
    return resumed


def rejects_csv(imp: Import) -> Iterator[bytes]:
    """The rejected rows as they were, plus `_errors`; fix them and import the file again."""

    def rows() -> Iterator[list[str]]:
        for reject in ImportReject.objects.filter(batch=imp).order_by("row_number").iterator(2000):
            values = list(reject.values)
            values += [""] * (len(imp.header) - len(values))
            reasons = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in reject.errors.items()
            )
            yield [*values, f"row {reject.row_number}: {reasons}"]

    return csv_lines([*imp.header, "_errors"], rows())
