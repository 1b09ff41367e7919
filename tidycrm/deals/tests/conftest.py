"""Fixtures for deal tests: the default pipeline, users, a company and contacts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import browser_page, chromium  # noqa: F401  (the browser fixtures)
from tidycrm.deals.models import LossReason, Pipeline, Stage


@pytest.fixture
def pipeline(db: Any) -> Pipeline:
    return Pipeline.objects.get(name="Sales")


@pytest.fixture
def stages(pipeline: Pipeline) -> dict[str, Stage]:
    return {s.name: s for s in pipeline.stages.all()}


@pytest.fixture
def reason(db: Any) -> LossReason:
    return LossReason.objects.get(name="Price")


@pytest.fixture
def rep(make_user: Any, team: Any) -> Any:
    return make_user("sales", team=team)


@pytest.fixture
def manager(make_user: Any, team: Any) -> Any:
    return make_user("manager", team=team)
