"""What a bulk worker process runs (see contacts.services.bulk_parallel). It lives outside the
services package and imports nothing of Django at module level: a spawned worker loads it before
Django is set up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any


def start(settings_module: str, email_test_environment: bool = False) -> None:
    """Django without a database: any query raises, and the share goes back to the caller.
    The e-mail validator's special-use-domain switch follows the caller's."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import email_validator

    email_validator.TEST_ENVIRONMENT = email_test_environment
    from django.conf import settings

    settings.DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}
    import django

    django.setup()
    from tidycrm.core.collector import set_batch_pace

    set_batch_pace()


def work(rows: list[Mapping[str, Any]], *args: Any) -> list[Any] | None:
    """`bulk_parallel.prepare` of each row, or None when a row needed what the worker lacks."""
    from tidycrm.contacts.services.bulk_parallel import prepare

    try:
        return [prepare(row, *args) for row in rows]
    except Exception:  # a read the caller did not make, or a bug the caller will raise itself
        return None
