"""Writes for custom field definitions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.core.exceptions import Conflict, ValidationFailed
from tidycrm.customfields.choices import FieldType
from tidycrm.customfields.models import CustomFieldDefinition


def define_field(*, actor: User | None, **fields: Any) -> CustomFieldDefinition:
    if actor is not None:
        require(actor, Permission.MANAGE_SETTINGS)
    definition = CustomFieldDefinition(**fields)
    try:
        definition.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed({k: list(v) for k, v in exc.message_dict.items()}) from exc
    if (
        definition.field_type in (FieldType.CHOICE, FieldType.MULTI_CHOICE)
        and not definition.choices
    ):
        raise ValidationFailed({"choices": ["a choice field needs at least one choice."]})
    if CustomFieldDefinition.objects.filter(
        record_type=definition.record_type, key=definition.key
    ).exists():
        raise Conflict(
            f"key: '{definition.key}' is already defined.", field_errors={"key": ["exists."]}
        )
    definition.save()
    return definition
