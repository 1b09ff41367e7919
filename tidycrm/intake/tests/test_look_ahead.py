"""The import's look-ahead (the next chunk standardised in a worker while this one is written)
stores exactly what the import stores without it."""

from __future__ import annotations

from typing import Any

import pytest

from tidycrm.companies.services import save_company
from tidycrm.contacts.models import Contact, ContactMatchKey, ContactSearchToken
from tidycrm.contacts.services import bulk_parallel
from tidycrm.intake import services

pytestmark = pytest.mark.django_db

# Chunks of three rows. Row 5 repeats row 2 (a later chunk finds it written); "Nova Labs" is
# first named in the second chunk and again in the third, which was read before the second
# created it; row 9 has no name; "Known Corp" exists before the import.
FILE = (
    "external_id,first_name,last_name,email,phone,company,job_title,city,country\n"
    "L1,Ada,Lovelace,ada@example.com,+44 20 7946 0018,Known Corp,Countess,London,UK\n"
    "L2,Kurt,Gödel,kurt@example.com,030 1234567,,,Berlin,Deutschland\n"
    "L3,Emmy,Noether,emmy@example.de,0551 123456,Known Corp,,Göttingen,DE\n"
    "L4,Alan,Turing,alan@example.co.uk,07700 900123,Nova Labs,Researcher,Wilmslow,GB\n"
    "L2,Kurt,Gödel,kurt@example.com,030 1234567,,,Berlin,Deutschland\n"
    "L5,Grace,Hopper,grace@example.com,(202) 555-0143,Known Corp,Admiral,Arlington,U.S.\n"
    "L6,Hedy,Lamarr,hedy@example.com,+1 310 555 0199,Nova Labs,Inventor,Los Angeles,USA\n"
    "L7,Lise,Meitner,lise@example.at,01 234 5678,Nova Labs,,Wien,Österreich\n"
    "L8,,,,,,,,\n"
    "L9,John,von Neumann,JOHNNY@EXAMPLE.COM,,Known Corp,,Princeton,us\n"
)


def _stored() -> list[tuple[Any, ...]]:
    """Every imported contact as the database holds it, by external id."""
    out = []
    for contact in Contact.objects.order_by("external_id"):
        out.append(
            (
                contact.external_id,
                contact.display_name,
                contact.country,
                sorted(contact.emails.values_list("address", "key")),
                sorted(contact.phones.values_list("e164", "national_number")),
                sorted(contact.affiliations.values_list("company__name", "job_title")),
                sorted(
                    ContactSearchToken.objects.filter(contact=contact).values_list(
                        "token", flat=True
                    )
                ),
                sorted(
                    ContactMatchKey.objects.filter(contact=contact).values_list("key", flat=True)
                ),
            )
        )
    return out


def test_look_ahead_stores_what_the_plain_import_stores(admin, run_file, settings):
    save_company({"name": "Known Corp"}, actor=admin, channel="ui")
    settings.TIDYCRM_IMPORT_CHUNK_ROWS = 3
    settings.TIDYCRM_BULK_PARALLEL_ROWS = 1

    settings.TIDYCRM_BULK_WORKERS = 0
    plain = run_file("people.csv", FILE, admin)
    without = _stored()
    services.start_revert(plain, actor=admin, inline=True)
    assert Contact.objects.count() == 0

    settings.TIDYCRM_BULK_WORKERS = 1
    before = bulk_parallel.stats["ahead_rows"]
    ahead = run_file("people.csv", FILE, admin)
    bulk_parallel.shutdown()

    assert ahead.job.result == plain.job.result
    assert ahead.job.result["created"] == 8
    assert ahead.job.result["unchanged"] == 1
    assert ahead.job.result["rejected"] == 1
    assert _stored() == without
    # The second and third chunks' rows went ahead, but for the rows naming "Nova Labs" before
    # it existed and the repeated row (an update of the row written before it).
    assert bulk_parallel.stats["ahead_rows"] - before == 3
