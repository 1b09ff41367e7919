"""The set-based company door writes what save_company writes, with rejects by index."""

from __future__ import annotations

import pytest

from tidycrm.audit.models import ChangeRecord
from tidycrm.companies.models import Company, CompanyDomain, CompanySearchToken
from tidycrm.companies.services import save_companies_bulk, save_company


def _stored(company: Company) -> dict:
    change = ChangeRecord.objects.get(
        object_id=company.pk, action="create", object_repr=company.name
    )
    return {
        "fields": {
            f: getattr(company, f)
            for f in ("name", "name_key", "sort_key", "website", "external_id", "owner_id")
        },
        "domains": list(
            CompanyDomain.objects.filter(company=company).values_list("domain", "is_primary")
        ),
        "tokens": sorted(
            CompanySearchToken.objects.filter(company=company).values_list("token", flat=True)
        ),
        "audit": (change.channel, change.actor_id, sorted(change.changes)),
    }


@pytest.mark.django_db
def test_bulk_companies_store_what_the_single_door_stores(admin):
    one = save_company(
        {"name": " ACME  Ltd ", "website": "https://www.acme.co.uk/about", "external_id": "a-1"},
        actor=admin,
        channel="import",
    ).record
    result = save_companies_bulk(
        [{"name": " Globex  GmbH ", "website": "https://shop.globex.de/", "external_id": "g-1"}],
        actor=admin,
        channel="import",
        sources=[{"file": "f.csv", "row": 2}],
    )
    (pk,) = result.ids
    assert pk is not None and not result.errors
    bulk = _stored(Company.objects.get(pk=pk))
    single = _stored(one)
    assert bulk["fields"]["name"] == "Globex GmbH"
    assert bulk["fields"]["name_key"] == "globex"
    assert bulk["domains"] == [("globex.de", True)]
    assert {"globex", ["globex", "de"][0]} <= set(bulk["tokens"])
    assert bulk["audit"] == (single["audit"][0], single["audit"][1], single["audit"][2])
    change = ChangeRecord.objects.get(object_id=pk, action="create", object_repr="Globex GmbH")
    assert change.source == {"file": "f.csv", "row": 2}


@pytest.mark.django_db
def test_bulk_companies_reject_rows_by_index_and_warn_on_same_name(admin):
    save_company({"name": "Initech Inc.", "external_id": "taken"}, actor=admin, channel="api")
    result = save_companies_bulk(
        [
            {"name": ""},
            {"name": "Initech Incorporated"},
            {"name": "Other", "external_id": "taken"},
            {"name": "Twice", "external_id": "x"},
            {"name": "Twice again", "external_id": "x"},
        ],
        actor=admin,
        channel="import",
    )
    assert set(result.errors) == {0, 2, 4}
    assert result.errors[0] == {"name": ["is required."]}
    assert result.errors[2] == {"external_id": ["is already used by another company."]}
    assert result.errors[4] == {"external_id": ["appears twice in this batch."]}
    assert result.ids[0] is None and result.ids[1] and result.ids[3]
    assert any("company name exact: 'initech'" in w for w in result.warnings[1])
    assert Company.objects.filter(name__startswith="Twice").count() == 1


@pytest.mark.django_db
def test_bulk_companies_need_edit_permission(make_user):
    from tidycrm.core.exceptions import DomainError

    viewer = make_user("read_only")
    with pytest.raises(DomainError):
        save_companies_bulk([{"name": "Nope"}], actor=viewer, channel="import")
    assert not Company.objects.filter(name="Nope").exists()
