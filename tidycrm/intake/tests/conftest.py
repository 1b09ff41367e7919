from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def imports_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def write_file(tmp_path):
    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return write


@pytest.fixture
def run_file(imports_dir, write_file):
    """Upload a file and run the whole import in-process; returns the Import."""
    from tidycrm.intake import services
    from tidycrm.intake.runner import run_import

    def run(name, content, actor, **options):
        path = write_file(name, content) if not isinstance(content, Path) else content
        with path.open("rb") as stream:
            imp = services.create_import(stream, name, actor=actor)
        if options:
            services.configure(imp, actor=actor, **options)
        services.start_import(imp, actor=actor, inline=True)
        run_import(imp.pk)
        imp.refresh_from_db()
        return imp

    return run
