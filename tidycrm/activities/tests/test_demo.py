"""The demo loader writes activities through the services, quickly and repeatably."""

from __future__ import annotations

import pytest

from tidycrm.activities.models import Activity, StaleRule
from tidycrm.contacts.services import save_contact
from tidycrm.demo import activities as demo

pytestmark = pytest.mark.django_db


def test_demo_activities_for_owned_contacts(rep, other_rep):
    for n in range(6):
        save_contact({"name": f"Demo Person {n}"}, actor=rep if n % 2 else other_rep, channel="api")
    steps: list[str] = []
    counts = demo.load(
        7, {"rep": rep, "other": other_rep}, lambda stage, done, total: steps.append(stage)
    )
    assert counts["activities"] == Activity.objects.count() > 6
    assert counts["stale_rules"] == StaleRule.objects.count() == 2
    assert steps and set(steps) == {"activities"}
    owners = set(Activity.objects.values_list("owner_id", flat=True))
    assert owners == {rep.pk, other_rep.pk}
    again = demo.load(7, {"rep": rep, "other": other_rep}, lambda *a: None)
    assert again["stale_rules"] == 0
