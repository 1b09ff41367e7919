"""Standardising the next batch while this one is written.

The bulk door prepares a batch (standardise, tokens, match keys: pure, in the worker processes)
and then writes it (the calling process). A caller that knows its next batch, the import with
its next chunk, hands that batch to the workers first and writes the current one meanwhile, so
the two cores prepare and write at once instead of in turns.

Nothing is written ahead: the workers only compute. What they read (entry policy, owners,
visible companies and their names) is read by the caller beforehand, as for any batch
(bulk_parallel). At write time the door takes a prepared row only if it is the very row handed
over, unchanged since; any other row is prepared then, so the result is always the door's own.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from typing import Any

from tidycrm.accounts.models import User
from tidycrm.contacts.services import bulk_parallel
from tidycrm.contacts.services.bulk_parallel import Prepared, prepare


class Ahead:
    """Rows handed to the workers before their batch is written."""

    def __init__(self, rows: Sequence[Mapping[str, Any]], *, actor: User | None, channel: str):
        self.rows = list(rows)
        self.frozen = [pickle.dumps(row) for row in self.rows]
        self.position = {id(row): n for n, row in enumerate(self.rows)}
        lookups, company_names = bulk_parallel.reads(self.rows, actor)
        self.args = (actor, lookups, channel, company_names)
        self.pending = bulk_parallel.submit(self.rows, self.args) if self.rows else []
        self.done: list[Prepared] | None = None

    def take(self, rows: Sequence[Mapping[str, Any]], args: tuple[Any, ...]) -> list[Prepared]:
        """Each row prepared: from the workers when handed over unchanged, else here (with
        `args`, the door's reads at write time)."""
        out: list[Prepared] = []
        for row in rows:
            n = self.position.get(id(row))
            # The position is keyed by the id of a row this object holds, so a hit is that row.
            if n is not None and pickle.dumps(row) == self.frozen[n]:
                if self.done is None:
                    self.done = bulk_parallel.collect(self.pending, self.args)
                out.append(self.done[n])
                bulk_parallel.stats["ahead_rows"] += 1
            else:
                out.append(prepare(row, *args))
        return out

    def cancel(self) -> None:
        """Drop the shares not started (the one running finishes and is discarded)."""
        for _, future in self.pending:
            future.cancel()
