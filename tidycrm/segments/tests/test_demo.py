"""The demo loader makes lists, segments with stored members and a saved view, once."""

from __future__ import annotations

from typing import Any

import pytest

from tidycrm.demo.segments import load
from tidycrm.segments.models import Segment

pytestmark = pytest.mark.django_db


def test_demo_lists_and_segments(admin: Any, people: Any) -> None:
    users = {"admin": admin, "seller": people["seller"]}
    made = load(1, users, lambda *args: None)
    assert made["lists"] == 3 and made["segments"] == 3 and made["saved_views"] == 1
    assert made["list_members"] >= 2  # Ada and Grace are customers
    assert all(s.computed_at is not None for s in Segment.objects.all())
    assert load(1, users, lambda *args: None) == {
        "lists": 0,
        "list_members": 0,
        "segments": 0,
        "saved_views": 0,
    }
