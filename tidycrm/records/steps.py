"""Door steps shared by every owned record (contacts, companies): plain fields, ownership,
custom fields, tags, search tokens, and the final persist-audit-emit step."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Model

from tidycrm.accounts.models import Team, User
from tidycrm.accounts.selectors import visible
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import record_change
from tidycrm.core import events
from tidycrm.core.door import ChildSpec, Draft, SaveResult, apply_draft, check_version
from tidycrm.core.exceptions import Conflict
from tidycrm.customfields.selectors import definitions_for
from tidycrm.customfields.validation import validate_values
from tidycrm.hygiene.fields import text_field
from tidycrm.hygiene.text import tokens
from tidycrm.records.policy import Policy, load_policy
from tidycrm.tags.services import clean_tag_names, set_tags

MAX_TOKENS = 200


def unknown_fields(data: Mapping[str, Any], known: Iterable[str], draft: Draft) -> None:
    for name in sorted(set(data) - set(known)):
        draft.error(name, "is not a field of this record.")


def text_fields(
    data: Mapping[str, Any], limits: Mapping[str, int], draft: Draft, multiline: Iterable[str] = ()
) -> None:
    long_text = set(multiline)
    for name, limit in limits.items():
        if name in data:
            value, problem = text_field(data[name], limit, multiline=name in long_text)
            if problem:
                draft.error(name, problem)
            draft.fields[name] = value


def _int_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError
    return int(value)


class Lookups:
    """Existence checks cached for the length of one save or one bulk batch."""

    def __init__(self) -> None:
        self._users: dict[int, bool] = {}
        self._teams: dict[int, bool] = {}
        self.definitions: dict[str, list[Any]] = {}
        self._visible: dict[str, dict[int, bool]] = {}
        self._policies: dict[tuple[str, str], Policy] = {}

    def policy(self, record_type: str, channel: str) -> Policy:
        """The entry policy, read once per save or bulk batch."""
        key = (record_type, channel)
        if key not in self._policies:
            self._policies[key] = load_policy(record_type, channel)
        return self._policies[key]

    def user_exists(self, pk: int) -> bool:
        if pk not in self._users:
            self._users[pk] = User.objects.filter(pk=pk, is_active=True).exists()
        return self._users[pk]

    def team_exists(self, pk: int) -> bool:
        if pk not in self._teams:
            self._teams[pk] = Team.objects.filter(pk=pk).exists()
        return self._teams[pk]

    def visible_ids(self, model: type[Model], actor: User | None, ids: Iterable[int]) -> set[int]:
        """Which of `ids` name records of `model` the actor may see; queries only new ids."""
        known = self._visible.setdefault(model._meta.label, {})
        wanted = set(ids)
        unknown = wanted - known.keys()
        if unknown:
            records = model._default_manager.all()
            if actor is not None:
                records = visible(records, actor)
            found = set(records.filter(pk__in=unknown).values_list("pk", flat=True))
            known.update({pk: pk in found for pk in unknown})
        return {pk for pk in wanted if known[pk]}

    def definitions_for(self, record_type: str) -> list[Any]:
        if record_type not in self.definitions:
            self.definitions[record_type] = definitions_for(record_type)
        return self.definitions[record_type]


def phone_region(country: str, actor: User | None) -> str:
    """Region for numbers typed without a country code: the record's (or its address's)
    country, else the user's, else the organisation's."""
    user_region = actor.default_region if actor is not None else ""
    return country or user_region or settings.TIDYCRM_DEFAULT_REGION


def ownership(
    data: Mapping[str, Any], actor: User | None, draft: Draft, *, creating: bool, lookups: Lookups
) -> None:
    """owner_id and team_id must name an active user and an existing team; new records default
    to the acting user and their team."""
    if "owner_id" in data:
        try:
            owner_id = _int_id(data["owner_id"])
        except (TypeError, ValueError):
            draft.error("owner_id", "must be a user id.")
        else:
            if owner_id is not None and not lookups.user_exists(owner_id):
                draft.error("owner_id", f"user {owner_id} does not exist or is inactive.")
            else:
                draft.fields["owner_id"] = owner_id
    elif creating and actor is not None:
        draft.fields["owner_id"] = actor.pk
    if "team_id" in data:
        try:
            team_id = _int_id(data["team_id"])
        except (TypeError, ValueError):
            draft.error("team_id", "must be a team id.")
        else:
            if team_id is not None and not lookups.team_exists(team_id):
                draft.error("team_id", f"team {team_id} does not exist.")
            else:
                draft.fields["team_id"] = team_id
    elif creating and actor is not None and actor.team_id is not None:
        draft.fields["team_id"] = actor.team_id


def custom_fields(
    data: Mapping[str, Any],
    record_type: str,
    current: dict[str, Any] | None,
    draft: Draft,
    lookups: Lookups,
) -> None:
    """Merge incoming custom values over the current ones; null removes a value."""
    if "custom_fields" not in data:
        if current is None:
            _, errors = validate_values(lookups.definitions_for(record_type), {})
            draft.errors.update(errors)
        return
    incoming = data["custom_fields"] or {}
    if not isinstance(incoming, Mapping):
        draft.error("custom_fields", "must be an object of field keys and values.")
        return
    merged = {**(current or {}), **incoming}
    cleaned, errors = validate_values(lookups.definitions_for(record_type), merged)
    draft.errors.update(errors)
    draft.fields["custom_fields"] = cleaned


def tag_names(data: Mapping[str, Any], draft: Draft) -> None:
    if "tags" not in data or data["tags"] is None:
        return
    value = data["tags"]
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",")]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        draft.error("tags", "must be a list of tag names.")
        return
    try:
        draft.tags = clean_tag_names(value)
    except Exception as exc:  # ValidationFailed carries the field message
        draft.errors.update(getattr(exc, "field_errors", {"tags": [str(exc)]}))


def search_tokens(texts: Iterable[str]) -> list[str]:
    found: dict[str, None] = {}
    for text in texts:
        for token in tokens(text or ""):
            found.setdefault(token[:64], None)
    return list(found)[:MAX_TOKENS]


def refresh_tokens(
    token_model: type[Model], parent_field: str, record: Model, words: list[str]
) -> None:
    token_model._default_manager.filter(**{parent_field: record}).delete()
    insert_tokens(token_model, parent_field, [(record.pk, w) for w in words])


def insert_tokens(token_model: type[Model], parent_field: str, rows: list[tuple[int, str]]) -> None:
    """Insert (record id, token) pairs with one prepared statement: a bulk load writes ~10 per
    record, and building model instances for them cost more than the rest of the load."""
    if not rows:
        return
    meta = token_model._meta
    column = meta.get_field(f"{parent_field}_id").column  # type: ignore[union-attr]
    sql = f'INSERT INTO "{meta.db_table}" ("{column}", "token") VALUES (%s, %s)'  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def persist(
    record: Model,
    draft: Draft,
    children: dict[str, ChildSpec],
    *,
    created: bool,
    actor: User | None,
    channel: Channel | str,
    source: dict[str, Any] | None,
    event_prefix: str,
) -> dict[str, dict[str, Any]]:
    """Apply the draft, audit it, and queue the created/updated event (delivered on commit)."""
    changes = apply_draft(record, draft, children, set_tags, created=created)
    record_change(
        record,
        action=Action.CREATE if created else Action.UPDATE,
        channel=channel,
        actor=actor,
        changes=changes,
        source=source,
    )
    if created or changes:
        events.emit(
            f"{event_prefix}.{'created' if created else 'updated'}",
            id=record.pk,
            actor_id=getattr(actor, "pk", None),
            channel=str(channel),
            fields=sorted(changes),
        )
    return changes


def save_record[M: Model](
    model: type[M],
    instance: M | None,
    draft: Draft,
    children: dict[str, ChildSpec],
    *,
    actor: User | None,
    channel: Channel | str,
    source: dict[str, Any] | None,
    expected_version: int | None,
    event_prefix: str,
    refresh_search: Callable[[M], None],
) -> SaveResult[M]:
    """Steps 4 and 5 of the door for one record: lock, check the version, persist, audit,
    refresh search tokens and queue the event, all in one transaction."""
    with transaction.atomic():
        created = instance is None
        if instance is None:
            record = model()
        else:
            record = model._default_manager.select_for_update().get(pk=instance.pk)
            check_version(record, expected_version)
        try:
            with transaction.atomic():
                changes = persist(
                    record,
                    draft,
                    children,
                    created=created,
                    actor=actor,
                    channel=channel,
                    source=source,
                    event_prefix=event_prefix,
                )
        except IntegrityError as exc:
            name = model._meta.verbose_name
            raise Conflict(
                f"external_id: another {name} already has this external id.",
                field_errors={"external_id": [f"is already used by another {name}."]},
            ) from exc
        if created or changes:
            refresh_search(record)
    return SaveResult(record=record, created=created, changes=changes, warnings=draft.warnings)


def delete_record(
    record: Model,
    snapshot: dict[str, Any],
    *,
    actor: User | None,
    channel: Channel | str,
    event_prefix: str,
) -> None:
    """Delete with an audit record holding the values that were removed."""
    with transaction.atomic():
        changes = {name: {"before": value, "after": None} for name, value in snapshot.items()}
        record_change(record, action=Action.DELETE, channel=channel, actor=actor, changes=changes)
        record_id = record.pk
        set_tags(record, [])  # tag links are generic: no foreign key cascades them away
        record.delete()
        events.emit(f"{event_prefix}.deleted", id=record_id, actor_id=getattr(actor, "pk", None))
