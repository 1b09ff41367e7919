"""The dashboard page, its CSV downloads and the report API endpoints."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from tidycrm.accounts.services import issue_api_token
from tidycrm.deals.models import Deal, LossReason
from tidycrm.reports.filters import parse_filter
from tidycrm.reports.metrics import outcomes
from tidycrm.reports.tables import TABLES
from tidycrm.reports.tests.history import make_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(make_user, team):
    reps = [make_user("sales", team=team), make_user("sales", team=team)]
    make_history(5, reps, deals=80)
    return reps


def test_dashboard_shows_every_chart_with_a_csv_link(admin, history):
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("reports:dashboard"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<svg") >= 7
    for key in TABLES:
        assert reverse("reports:csv", args=[key]) in html
    shown = outcomes(admin, parse_filter({}))
    assert shown.won > 0 and f"{shown.won} won · {shown.lost} lost" in html


def test_bad_filters_are_named(admin):
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("reports:dashboard"), {"start": "2026-02-30", "owner": "x"})
    assert page.status_code == 400
    assert "start" in page.content.decode() and "owner" in page.content.decode()
    csv_answer = client.get(
        reverse("reports:csv", args=["funnel"]), {"end": "2020-01-01", "start": "2021-01-01"}
    )
    assert csv_answer.status_code == 400
    assert client.get(reverse("reports:csv", args=["nope"])).status_code == 404


def test_csv_neutralises_formulas(admin, history):
    lost = Deal.objects.filter(status="lost").first()
    reason = LossReason.objects.create(name='=HYPERLINK("http://x")')
    Deal.objects.filter(pk=lost.pk).update(loss_reason=reason)
    client = Client()
    client.force_login(admin)
    answer = client.get(reverse("reports:csv", args=["loss-reasons"]), {"start": "2020-01-01"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == ["loss_reason", "lost_deals"]
    cells = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in cells
    assert not any(cell.startswith("=") for cell in cells)


def test_every_report_has_an_api_endpoint(admin, history):
    _, secret = issue_api_token(admin, "tests")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    for key in TABLES:
        answer = api.get(f"/api/v1/reports/{key}", {"currency": "USD"})
        assert answer.status_code == 200, (key, answer.content)
        body = answer.json()
        assert body["report"] == key and body["header"] and isinstance(body["rows"], list)
    outcomes = api.get("/api/v1/reports/outcomes").json()
    figures = dict(outcomes["rows"])
    assert figures["won_deals"] + figures["lost_deals"] >= 0
    bad = api.get("/api/v1/reports/outcomes", {"start": "2026-01-02", "end": "2026-01-01"})
    assert bad.status_code == 422 and "start" in bad.json()["errors"]


def test_cached_dashboard_follows_every_change(admin, history):
    from tidycrm.deals.services import move_deal

    client = Client()
    client.force_login(admin)
    before = outcomes(admin, parse_filter({}))
    assert f"{before.won} won" in client.get(reverse("reports:dashboard")).content.decode()
    deal = Deal.objects.filter(status="open").first()
    move_deal(deal, deal.pipeline.stages.get(kind="won"), actor=admin)
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert f"{before.won + 1} won" in html


def test_an_unknown_pipeline_is_a_named_error_and_stores_no_model(admin):
    from tidycrm.reports.models import ForecastModel

    _, secret = issue_api_token(admin, "tests")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    answer = api.get("/api/v1/reports/forecast", {"pipeline": "12314"})
    assert answer.status_code == 422 and "pipeline" in answer.json()["errors"]
    client = Client()
    client.force_login(admin)
    assert client.get(reverse("reports:dashboard"), {"pipeline": "12314"}).status_code == 400
    assert not ForecastModel.objects.filter(pipeline_id=12314).exists()


def test_cached_dashboard_follows_a_call_outcome_that_now_connects(admin, history):
    """Changing whether an outcome connected recounts the deals' conversations without touching
    the deals; the cached figures follow it all the same."""
    from tidycrm.activities.models import Outcome
    from tidycrm.activities.services.effort import recount_outcome
    from tidycrm.reports.dashboard import compute_figures, dashboard_figures

    f = parse_filter({})
    before = dashboard_figures(admin, f)["effort"].conversations
    outcome = Outcome.objects.get(name="Voicemail")
    Outcome.objects.filter(pk=outcome.pk).update(is_connected=True)
    recount_outcome(outcome.pk)
    after = dashboard_figures(admin, f)["effort"].conversations
    assert after > before
    assert after == compute_figures(admin, f)["effort"].conversations
