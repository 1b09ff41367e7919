"""Companies: match keys kept by the door, the entry check, the scan, merge and unmerge."""

from __future__ import annotations

import pytest

from tidycrm.activities.models import ActivityCompany
from tidycrm.activities.services.write import log_activity
from tidycrm.companies.match_keys import company_records, keys_of
from tidycrm.companies.models import Company, CompanyMatchKey
from tidycrm.companies.services import save_companies_bulk, save_company
from tidycrm.contacts.services import save_contact
from tidycrm.deals.models import Deal
from tidycrm.deals.services.deals import create_deal
from tidycrm.dedupe.choices import GroupOrigin
from tidycrm.dedupe.models import DuplicateGroup, DuplicateMember, NotDuplicate
from tidycrm.dedupe.services.merge import merge_records, unmerge
from tidycrm.dedupe.services.policy import update_policy
from tidycrm.dedupe.services.scan import run_scan, start_scan
from tidycrm.records.duplicates import DuplicateFound

pytestmark = pytest.mark.django_db

ACME = {
    "name": "Acme Tools GmbH",
    "website": "https://www.acme-tools.example",
    "phones": ["+49 30 5550100"],
    "addresses": [{"street": "Hauptstr. 5", "city": "Berlin", "postal_code": "10115"}],
}


def stored_keys(pk: int) -> set[str]:
    return set(CompanyMatchKey.objects.filter(company_id=pk).values_list("key", flat=True))


def current_keys(pk: int) -> set[str]:
    return set(keys_of(company_records([pk])[0]))


def test_every_company_write_keeps_the_match_keys_current(admin):
    acme = save_company(ACME, actor=admin, channel="ui").record
    keys = stored_keys(acme.pk)
    assert keys == current_keys(acme.pk)
    assert {"c:acme tools", "d:acme-tools.example", "a:acme|berlin"} <= keys
    save_company({"name": "Apex Tools AG", "domains": []}, actor=admin, channel="ui", company=acme)
    keys = stored_keys(acme.pk)
    assert keys == current_keys(acme.pk)
    assert "c:apex tools" in keys and not any(k.startswith("d:") for k in keys)

    result = save_companies_bulk(
        [{"name": "Initech LLC", "domains": ["initech.example"]}, {"name": "Globex"}],
        actor=admin,
        channel="import",
    )
    for pk in result.ids:
        assert pk is not None and stored_keys(pk) == current_keys(pk)


def test_a_legal_form_variant_with_the_same_domain_is_found_at_entry(admin):
    acme = save_company(ACME, actor=admin, channel="ui").record
    twin = save_company(
        {"name": "ACME TOOLS", "domains": ["acme-tools.example"], "phones": ["030 5550100"]},
        actor=admin,
        channel="ui",
    )
    [warning] = [w for w in twin.warnings if "duplicate" in w]
    assert warning.startswith(f"Possible duplicate of company {acme.pk} (")
    assert "domain exact: 'acme-tools.example'" in warning
    # a namesake elsewhere, with its own domain and phone, is not flagged
    other = save_company(
        {
            "name": "Acme Bakery",
            "domains": ["acme-bakery.example"],
            "phones": ["+33 1 44 55 66 77"],
            "addresses": [{"city": "Paris"}],
        },
        actor=admin,
        channel="ui",
    )
    assert not [w for w in other.warnings if "duplicate" in w]


def test_the_company_policy_blocks_or_links_per_channel(admin):
    acme = save_company(ACME, actor=admin, channel="ui").record
    update_policy(actor=admin, actions={"company": {"api": "block", "import": "link"}})
    with pytest.raises(DuplicateFound) as caught:
        save_company(
            {"name": "Acme Tools Ltd", "website": "acme-tools.example"}, actor=admin, channel="api"
        )
    assert [f.record_id for f in caught.value.findings] == [acme.pk]
    assert Company.objects.count() == 1

    result = save_companies_bulk(
        [{"name": "Acme Tools Inc.", "domains": ["acme-tools.example"]}, {"name": "Globex"}],
        actor=admin,
        channel="import",
    )
    new = result.ids[0]
    group = DuplicateGroup.objects.get(kind="company")
    assert group.origin == GroupOrigin.ENTRY
    assert set(DuplicateMember.objects.filter(group=group).values_list("record_id", flat=True)) == {
        acme.pk,
        new,
    }


def test_a_company_scan_groups_variants_and_spares_what_a_person_refused(admin):
    a = save_company(ACME, actor=admin, channel="ui").record
    b = save_company(
        {"name": "ACME Tools Inc", "domains": ["acme-tools.example"]}, actor=admin, channel="api"
    ).record
    c = save_company(
        {"name": "Initech", "phones": ["+1 212 555 0199"], "domains": ["initech.example"]},
        actor=admin,
        channel="ui",
    ).record
    d = save_company(
        {"name": "Initech Corporation", "phones": ["(212) 555-0199"], "website": "initech.example"},
        actor=admin,
        channel="ui",
    ).record
    save_company({"name": "Globex", "domains": ["globex.example"]}, actor=admin, channel="ui")
    NotDuplicate.objects.create(kind="company", a=min(c.pk, d.pk), b=max(c.pk, d.pk))
    job = run_scan(start_scan("company", actor=admin, inline=True).pk)
    assert job.error == ""
    groups = [
        sorted(DuplicateMember.objects.filter(group=g).values_list("record_id", flat=True))
        for g in DuplicateGroup.objects.filter(kind="company")
    ]
    assert groups == [sorted([a.pk, b.pk])]


def test_a_company_merge_repoints_people_deals_and_activities_and_unmerge_restores(admin):
    keep = save_company(ACME, actor=admin, channel="ui").record
    gone = save_company(
        {"name": "ACME Tools", "domains": ["acme-tools.example"]}, actor=admin, channel="ui"
    ).record
    person = save_contact(
        {"name": "Gil Moss", "companies": [{"company_id": gone.pk}]}, actor=admin, channel="ui"
    ).record
    deal = create_deal(
        {"name": "Drills", "amount": "900", "company_id": gone.pk}, actor=admin
    ).record
    call = log_activity(
        {"kind": "call", "subject": "Intro", "company_ids": [gone.pk]}, actor=admin, channel="ui"
    )
    merge = merge_records("company", [keep.pk, gone.pk], actor=admin, survivor_id=keep.pk)
    assert not Company.objects.filter(pk=gone.pk).exists()
    assert list(person.affiliations.values_list("company_id", flat=True)) == [keep.pk]
    assert Deal.objects.get(pk=deal.pk).company_id == keep.pk
    assert list(
        ActivityCompany.objects.filter(activity=call).values_list("company_id", flat=True)
    ) == [keep.pk]
    assert stored_keys(keep.pk) == current_keys(keep.pk)

    unmerge(merge.pk, actor=admin)
    assert Company.objects.get(pk=gone.pk).name == "ACME Tools"
    assert list(person.affiliations.values_list("company_id", flat=True)) == [gone.pk]
    assert Deal.objects.get(pk=deal.pk).company_id == gone.pk
    assert list(
        ActivityCompany.objects.filter(activity=call).values_list("company_id", flat=True)
    ) == [gone.pk]
    assert stored_keys(gone.pk) == current_keys(gone.pk)
