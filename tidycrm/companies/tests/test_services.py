from __future__ import annotations

import pytest

from tidycrm.companies.models import Company
from tidycrm.companies.selectors import search_companies, visible_companies
from tidycrm.companies.services import delete_company, save_company
from tidycrm.core.exceptions import ValidationFailed

pytestmark = pytest.mark.django_db


def test_company_with_domains_phones_addresses(admin):
    company = save_company(
        {
            "name": "  Acme   Widgets GmbH ",
            "domains": ["https://www.Acme.example/about", "acme.example"],
            "addresses": [
                {
                    "street": "Hauptstr. 1",
                    "city": "Berlin",
                    "postal_code": "10115",
                    "country": "Deutschland",
                }
            ],
            "phones": ["030 1234567"],
            "size": "50-249",
        },
        actor=admin,
        channel="ui",
    ).record
    assert company.name == "Acme Widgets GmbH"
    assert list(company.domains.values_list("domain", flat=True)) == ["acme.example"]
    assert company.addresses.get().country == "DE"
    # The address's country sets the phone's default region.
    assert company.phones.get().e164 == "+49301234567"
    assert set(search_companies(visible_companies(admin), "acme wid")) == {company}


def test_parent_cycle_is_refused(admin):
    parent = save_company({"name": "Parent"}, actor=admin, channel="ui").record
    child = save_company(
        {"name": "Child", "parent_id": parent.pk}, actor=admin, channel="ui"
    ).record
    with pytest.raises(ValidationFailed) as caught:
        save_company({"parent_id": child.pk}, actor=admin, channel="ui", company=parent)
    assert "parent_id" in caught.value.field_errors


def test_bad_company_input(admin):
    with pytest.raises(ValidationFailed) as caught:
        save_company(
            {"name": "", "size": "huge", "employee_count": -3, "domains": ["not a domain"]},
            actor=admin,
            channel="api",
        )
    assert set(caught.value.field_errors) == {"name", "size", "employee_count", "domains.0"}


def test_delete_company(admin):
    company = save_company({"name": "Gone Ltd"}, actor=admin, channel="ui").record
    delete_company(company, actor=admin, channel="ui")
    assert Company.objects.count() == 0
