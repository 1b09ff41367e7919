from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_api_errors_outside_operations_are_json(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    client = Client()
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.json()["detail"].startswith("No such endpoint")
    too_big = client.post("/api/v1/contacts", data="x" * 500, content_type="application/json")
    assert too_big.status_code == 400 and "detail" in too_big.json()


def test_html_pages_keep_html_errors():
    response = Client().get("/no-such-page/")
    assert response.status_code in (302, 404)
    assert "application/json" not in response.get("Content-Type", "")


def test_api_docs_are_served_without_a_cdn():
    page = Client().get("/api/v1/docs")
    assert page.status_code == 200
    assert b"cdn" not in page.content.lower()
