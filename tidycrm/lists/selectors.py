"""Reads of lists and their members; members are always limited to the contacts a user sees."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, QuerySet

from tidycrm.accounts.models import User
from tidycrm.contacts.models import Contact
from tidycrm.contacts.selectors import visible_contacts
from tidycrm.core.exceptions import NotFound
from tidycrm.lists.models import ContactList, ListMembership


def all_lists() -> QuerySet[ContactList]:
    """Lists are shared by everyone; what each person sees of their members is not."""
    return ContactList.objects.all()


def get_list(list_id: int) -> ContactList:
    found = ContactList.objects.filter(pk=list_id).first()
    if found is None:
        raise NotFound(f"List {list_id} does not exist.")
    return found


def lists_with_counts(user: User) -> list[ContactList]:
    """Every list with `member_count`: the members this user can see."""
    counts = dict(
        ListMembership.objects.filter(contact__in=visible_contacts(user).values("pk"))
        .values("contact_list")
        .annotate(n=Count("id"))
        .values_list("contact_list", "n")
    )
    lists = list(all_lists())
    for item in lists:
        item.member_count = counts.get(item.pk, 0)  # type: ignore[attr-defined]
    return lists


def list_members(user: User, contact_list: ContactList) -> QuerySet[Contact]:
    members = ListMembership.objects.filter(contact_list=contact_list).values("contact_id")
    return visible_contacts(user).filter(pk__in=members)


def visible_names(user: User, ids: Sequence[int]) -> dict[int, str]:
    """Display names of those of `ids` the user can see."""
    if not ids:
        return {}
    rows = visible_contacts(user).filter(pk__in=ids).values_list("pk", "display_name")
    return dict(rows.order_by())


def list_names_for(contact_ids: Sequence[int]) -> dict[int, list[str]]:
    """The names of the lists each contact is in, sorted, in one query."""
    names: dict[int, list[str]] = defaultdict(list)
    rows = ListMembership.objects.filter(contact_id__in=contact_ids).values_list(
        "contact_id", "contact_list__name"
    )
    for contact_id, name in rows.order_by("contact_list__key"):
        names[contact_id].append(name)
    return dict(names)
