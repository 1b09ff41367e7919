"""Reading a record's history."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from tidycrm.audit.models import ChangeRecord


def history_for(obj: Model) -> QuerySet[ChangeRecord]:
    return (
        ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )
