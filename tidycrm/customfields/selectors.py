from __future__ import annotations

from tidycrm.customfields.models import CustomFieldDefinition


def definitions_for(record_type: str) -> list[CustomFieldDefinition]:
    return list(CustomFieldDefinition.objects.filter(record_type=record_type))
