"""Plain statistics the reports share: pure functions, no database."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def median(values: Sequence[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `share` of all values at or
    below it (p90 of 10 values is the 9th smallest). None if empty."""
    if not values:
        return None
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]")
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return float(ordered[rank - 1])


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def nth_counted(counts: Mapping[int, int], rank: int) -> int:
    """The `rank`-th smallest value (1-based) of values given with their counts."""
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    raise IndexError(f"rank {rank} is beyond {seen} values")


def counted_median(counts: Mapping[int, int]) -> float | None:
    """`median` of values given with their counts, without listing them."""
    total = sum(counts.values())
    if not total:
        return None
    if total % 2:
        return float(nth_counted(counts, total // 2 + 1))
    return (nth_counted(counts, total // 2) + nth_counted(counts, total // 2 + 1)) / 2


def counted_percentile(counts: Mapping[int, int], share: float) -> float | None:
    """`percentile` (nearest rank) of values given with their counts."""
    total = sum(counts.values())
    if not total:
        return None
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]")
    return float(nth_counted(counts, max(1, math.ceil(share * total))))
