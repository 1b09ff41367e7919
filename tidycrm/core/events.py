"""The event bus: domain events are queued inside a transaction and delivered after it commits.

Handlers are registered by the app that reacts (automation, scoring, webhooks), so a lower layer
emits without knowing who listens. Nothing is delivered for a transaction that rolls back.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Event], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> None:
    """Register a handler for an event name; "*" receives every event."""
    if handler not in _handlers[name]:
        _handlers[name].append(handler)


def unsubscribe(name: str, handler: Handler) -> None:
    if handler in _handlers[name]:
        _handlers[name].remove(handler)


def emit(name: str, **payload: Any) -> None:
    """Queue an event; handlers run once the surrounding transaction commits."""
    event = Event(name=name, payload=payload)
    transaction.on_commit(lambda: _deliver(event), robust=True)


def _deliver(event: Event) -> None:
    for handler in [*_handlers.get(event.name, []), *_handlers.get("*", [])]:
        try:
            handler(event)
        except Exception:
            # One failing subscriber must not stop the others or the committed write.
            logger.exception("event handler %r failed for %s", handler, event.name)
