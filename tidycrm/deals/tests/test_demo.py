"""The demo loader writes deals through the services: history, owners and visibility hold."""

from __future__ import annotations

import pytest

from tidycrm.companies.services import save_company
from tidycrm.contacts.services import save_contact
from tidycrm.deals.models import Deal, StageChange
from tidycrm.demo import deals as demo

pytestmark = pytest.mark.django_db


def test_demo_deals_are_made_through_the_services(make_user, team):
    seller = make_user("sales", team=team)
    company = save_company({"name": "Demo Co"}, actor=seller, channel="ui").record
    save_contact({"name": "Dee Mo", "companies": [company.pk]}, actor=seller, channel="ui")
    counts = demo.load(3, {"seller": seller}, lambda *args: None)
    assert counts == {"deals": demo.DEALS} == {"deals": Deal.objects.count()}
    assert set(Deal.objects.values_list("owner_id", flat=True)) == {seller.pk}
    assert StageChange.objects.count() >= Deal.objects.count()
    assert Deal.objects.filter(status="lost", loss_reason__isnull=True).count() == 0
    assert Deal.objects.filter(deal_contacts__isnull=False).exists()
