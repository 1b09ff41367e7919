from __future__ import annotations

import pytest

from tidycrm.contacts.models import Contact
from tidycrm.contacts.services import save_contacts_bulk
from tidycrm.core.pagination import BadCursor, paginate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "ordering", [["sort_key", "id"], ["-sort_key", "-id"], ["-created_at", "-id"]]
)
def test_keyset_pages_cover_everything_once_in_both_directions(admin, ordering):
    # Repeated names make ties on sort_key that only the id breaks.
    save_contacts_bulk(
        [{"given_name": f"N{i % 7}", "family_name": "Same"} for i in range(23)],
        actor=admin,
        channel="system",
    )
    expected = list(Contact.objects.order_by(*ordering).values_list("pk", flat=True))
    pages, cursor = [], None
    while True:
        page = paginate(Contact.objects.all(), ordering, 5, cursor)
        pages.append([c.pk for c in page.items])
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert [pk for p in pages for pk in p] == expected
    back = paginate(Contact.objects.all(), ordering, 5, page.previous_cursor)
    assert [c.pk for c in back.items] == pages[-2]


def test_garbage_cursor_is_a_clear_error():
    with pytest.raises(BadCursor):
        paginate(Contact.objects.all(), ["sort_key", "id"], 5, "not-a-cursor")


def test_deep_page_query_starts_the_index_at_the_cursor(admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    save_contacts_bulk(
        [{"given_name": f"P{i:02d}"} for i in range(12)], actor=admin, channel="system"
    )
    first = paginate(Contact.objects.all(), ["sort_key", "id"], 5)
    with CaptureQueriesContext(connection) as queries:
        paginate(Contact.objects.all(), ["sort_key", "id"], 5, first.next_cursor)
    sql = queries.captured_queries[-1]["sql"]
    assert '"sort_key" >=' in sql
