"""pytest plugin: fail the run unless tests marked `browser` were collected and all passed.

A browser test that is skipped (no Chromium) or deselected would otherwise hide a broken UI.
Loaded by scripts/test with `-p require_browser`.
"""

from __future__ import annotations

import pytest

_browser: set[str] = set()
_passed: set[str] = set()
_not_passed: dict[str, str] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    _browser.update(item.nodeid for item in items if item.get_closest_marker("browser"))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.nodeid not in _browser:
        return
    if report.when == "call" and report.passed:
        _passed.add(report.nodeid)
    elif report.failed or report.skipped:
        _not_passed[report.nodeid] = report.outcome


def _problem() -> str:
    passed = _passed - set(_not_passed)
    if not _browser:
        return "no tests marked 'browser' were collected"
    if len(passed) < len(_browser):
        return f"only {len(passed)} of {len(_browser)} browser tests passed"
    return ""


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _problem():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    problem = _problem()
    if problem:
        terminalreporter.write_line(f"BROWSER TESTS: {problem}", red=True, bold=True)
    else:
        terminalreporter.write_line(f"BROWSER TESTS: all {len(_browser)} passed", green=True)
