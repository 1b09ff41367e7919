"""An import's companies: found by name whatever the spacing and case, created once per file
through the company door with the domain of a work e-mail, removed again by a revert."""

from __future__ import annotations

import pytest

from tidycrm.companies.models import Company, CompanyDomain
from tidycrm.companies.services import save_company
from tidycrm.contacts.models import Contact
from tidycrm.intake import services
from tidycrm.intake.choices import Stage
from tidycrm.intake.models import Import

pytestmark = pytest.mark.django_db

FILE = (
    "external_id,first_name,last_name,email,company\n"
    "C1,Ann,Lee,ann@gmail.com,Umbrella Corp\n"
    "C2,Bob,Ray,bob@sales.umbrella.co.uk,  UMBRELLA   corp \n"
    "C3,Cy,Day,cy@example.org,Existing Ltd\n"
    "C4,Di,Fox,di@hotmail.com,Freemail Only\n"
    "C5,Ed,Gray,ed@x.test,existing ltd\n"
)


def test_companies_found_or_created_once_with_work_domain(admin, run_file):
    existing = save_company({"name": "Existing Ltd"}, actor=admin, channel="api").record
    imp = run_file("people.csv", FILE, admin)
    assert imp.stage == Stage.DONE
    assert imp.job.result["created"] == 5
    umbrella = Company.objects.get(name="Umbrella Corp")
    # the first row's address is free mail; the second row's work address gives the domain
    assert list(umbrella.domains.values_list("domain", flat=True)) == ["umbrella.co.uk"]
    assert not CompanyDomain.objects.filter(company__name="Freemail Only").exists()
    assert Company.objects.filter(name__iexact="umbrella corp").count() == 1
    linked = {
        c.external_id: c.affiliations.get().company_id
        for c in Contact.objects.filter(external_id__startswith="C")
    }
    assert linked["C1"] == linked["C2"] == umbrella.pk
    assert linked["C3"] == linked["C5"] == existing.pk
    assert Company.objects.count() == 3


def test_revert_removes_the_companies_the_import_created(admin, run_file):
    save_company({"name": "Existing Ltd"}, actor=admin, channel="api")
    imp = run_file("people.csv", FILE, admin)
    services.start_revert(imp, actor=admin, inline=True)
    services.run_revert(imp.pk)
    assert list(Company.objects.values_list("name", flat=True)) == ["Existing Ltd"]
    assert not Contact.objects.filter(external_id__startswith="C").exists()


def test_a_company_the_importer_cannot_see_is_not_linked(make_user, run_file):
    owner, importer = make_user("sales"), make_user("sales")  # sales see what they own
    hidden = save_company({"name": "Hidden Ltd"}, actor=owner, channel="api").record
    run_file("people.csv", "external_id,first_name,company\nH1,Hal,Hidden Ltd\n", importer)
    company = Contact.objects.get(external_id="H1").affiliations.get().company
    assert company.pk != hidden.pk
    assert company.owner_id == importer.pk


def test_an_existing_company_without_a_domain_takes_one_from_a_work_email(admin, run_file):
    from tidycrm.audit.models import ChangeRecord

    bare = save_company({"name": "Bare Ltd"}, actor=admin, channel="api").record
    known = save_company(
        {"name": "Known Ltd", "domains": ["known.com"]}, actor=admin, channel="api"
    )
    content = (
        "external_id,first_name,email,company\n"
        "D1,Di,di@gmail.com,Bare Ltd\n"
        "D2,Ed,ed@bare.co.uk,Bare Ltd\n"
        "D3,Flo,flo@other.org,Known Ltd\n"
    )
    run_file("people.csv", content, admin)
    assert list(bare.domains.values_list("domain", flat=True)) == ["bare.co.uk"]
    assert list(known.record.domains.values_list("domain", flat=True)) == ["known.com"]
    change = ChangeRecord.objects.filter(object_id=bare.pk, action="update").get()
    assert change.channel == "import"
    assert change.changes["domains"] == {"before": [], "after": ["bare.co.uk (primary)"]}
    assert change.source["row"] == 3
    imp = Import.objects.latest("id")
    services.start_revert(imp, actor=admin, inline=True)
    assert not bare.domains.exists()  # the revert takes it away again
    assert Company.objects.filter(pk=bare.pk).exists()
