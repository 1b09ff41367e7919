"""The trained matching models, stored in the database and cached per process.

A scan trains the model on the database's own records when there is none yet or the data has
grown by a quarter since; until then the matching library's defaults score. A process reloads
the model only when the stored one's training time changed (one indexed read per check).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

from tidycrm.dedupe.choices import RecordKind
from tidycrm.dedupe.models import MatchingModel
from tidycrm.matching import CompanyModel, CompanyRecord, PersonModel, PersonRecord, Table

GROWTH_TO_RETRAIN = 1.25
_cache: dict[str, tuple[datetime | None, Any]] = {}


def _load[T: (PersonModel, CompanyModel)](kind: str, cls: type[T]) -> T:
    stamp = MatchingModel.objects.filter(kind=kind).values_list("trained_at", flat=True).first()
    cached = _cache.get(kind)
    if cached is not None and cached[0] == stamp:
        model: T = cached[1]
        return model
    if stamp is None:
        model = cls.default()
    else:
        data = MatchingModel.objects.filter(kind=kind).values_list("data", flat=True).get()
        model = cls.from_dict(data)
    _cache[kind] = (stamp, model)
    return model


def person_model() -> PersonModel:
    return _load(RecordKind.CONTACT, PersonModel)


def company_model() -> CompanyModel:
    return _load(RecordKind.COMPANY, CompanyModel)


def needs_training(kind: str, record_count: int) -> bool:
    trained = MatchingModel.objects.filter(kind=kind).values_list("record_count", flat=True).first()
    return trained is None or record_count >= max(trained, 1) * GROWTH_TO_RETRAIN


def train_people_for_scan(records: Iterable[PersonRecord]) -> Table:
    """Train and store the people's model, giving the records' table for the scan that
    follows (one pass over the records: they may stream from the database)."""
    model, table = PersonModel.train_for_scan(records)
    _store(RecordKind.CONTACT, model.to_dict(), len(table))
    return table


def train_companies(records: Sequence[CompanyRecord]) -> CompanyModel:
    model = CompanyModel.train(records)
    _store(RecordKind.COMPANY, model.to_dict(), len(records))
    return model


def _store(kind: str, data: dict[str, Any], count: int) -> None:
    MatchingModel.objects.update_or_create(
        kind=kind,
        defaults={"data": data, "record_count": count, "trained_at": timezone.now()},
    )
