"""People to filter: a few contacts with tags, lists, custom fields, deals and activities."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tidycrm.accounts.services import issue_api_token


def client_for(user: Any) -> Client:
    _, secret = issue_api_token(user, "tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def post(client: Client, url: str, data: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def people(admin: Any, make_user: Any, team: Any) -> dict[str, Any]:
    from tidycrm.contacts.services import save_contact
    from tidycrm.customfields.services import define_field

    define_field(actor=admin, record_type="contact", key="nps", label="NPS", field_type="integer")
    define_field(
        actor=admin,
        record_type="contact",
        key="plan",
        label="Plan",
        field_type="choice",
        choices=["free", "pro"],
    )
    seller = make_user("sales", team=team)
    other = make_user("sales", team=team)

    def person(name: str, owner: Any, **fields: Any) -> Any:
        data = {"name": name, "owner_id": owner.pk, **fields}
        return save_contact(data, actor=admin, channel="api").record

    return {
        "seller": seller,
        "other": other,
        "ada": person(
            "Ada Lovelace",
            seller,
            country="GB",
            lifecycle_stage="customer",
            custom_fields={"nps": 9, "plan": "pro"},
            tags=["vip"],
            emails=["ada@example.com"],
        ),
        "alan": person(
            "Alan Turing",
            seller,
            country="GB",
            lifecycle_stage="lead",
            custom_fields={"nps": 4},
            emails=["alan@example.org"],
        ),
        "grace": person(
            "Grace Hopper",
            other,
            country="US",
            lifecycle_stage="customer",
            custom_fields={"nps": 10, "plan": "free"},
            tags=["vip", "navy"],
        ),
    }
