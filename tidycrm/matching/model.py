"""A Fellegi-Sunter model: per comparison level, m (how often true duplicates show it) and u
(how often unrelated records do); a pair's weight is the sum of log2(m/u) over its comparisons
plus the prior, and its probability follows from the weight.

m is trained unsupervised with expectation-maximisation on candidate pairs from blocking, u is
counted on random pairs. Exact agreement on a value weighs by that value's frequency: a phone
number or an inbox that many records share, or a common surname, says less than a rare one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple, Self

import numpy as np
from numpy.typing import NDArray

from tidycrm.matching import defaults
from tidycrm.matching.blocking import candidate_codes, company_key_columns, person_key_columns
from tidycrm.matching.comparisons import (
    COMPANY_COMPARISONS,
    PERSON_COMPARISONS,
    Comparison,
    Levels,
    identifier_comparison,
)
from tidycrm.matching.features import IntArray, Table, companies_table, people_table
from tidycrm.matching.records import CompanyRecord, PersonRecord

DEFAULT_THRESHOLD = 0.9
AUTO_MERGE_THRESHOLD = 0.995
# A rare value may raise an exact agreement's weight by at most this many bits over the level's
# average: independence between fields does not hold for rare names as well as the formula says.
TF_BOOST_CAP = 4.0
# Frequencies kept in a stored model: the most common values only (a rare value is rare).
TF_STORED = 2000
# Fields a household or an office shares, and what they may add up to between people whose
# given names differ (see `_household_correction`).
SHARED_CONTEXT = ("email", "phone", "address", "company")
SHARED_CONTEXT_CAP = 2.0
# Below this many records, value frequencies are noise: the level's average weight is used.
MIN_FREQUENCY_BASE = 1000
# A kind of blocking key that finds fewer pairs than this teaches nothing reliable.
MIN_TRAINING_PAIRS = 50
# A comparison takes part in a training round when this share of the pairs has its values.
MIN_PRESENT = 0.05
# Random pairs counted for u.
RANDOM_PAIRS = 300_000
SINGLE_ROUNDS = 2
# Share of the untrained m mixed into the learned one.
SHRINK = 0.02
_EPS = 1e-9


class Evidence(NamedTuple):
    """What one comparison found for a pair. A named tuple: a scan writes millions of them,
    and a tuple is made four times quicker than a frozen dataclass."""

    field: str
    level: str
    weight: float  # log2 Bayes factor this comparison contributed (negative = against)
    detail: str


@dataclass(frozen=True, slots=True, eq=False)
class Match:
    """A pair of records and its score. Its evidence is a tuple, or the batch of a scan that
    writes the batch's evidence the first time one of its pairs is asked (`evidence`)."""

    a: str
    b: str
    probability: float
    weight: float  # total log2 Bayes factor including the prior
    _evidence: tuple[Evidence, ...] | DeferredEvidence = field(default=(), repr=False)
    _row: int = field(default=0, repr=False)  # this pair's place in a deferred batch

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        found = self._evidence
        return found if isinstance(found, tuple) else found.of(self._row)

    def _key(self) -> tuple[str, str, float, float, tuple[Evidence, ...]]:
        return (self.a, self.b, self.probability, self.weight, self.evidence)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Match) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Match(a={self.a!r}, b={self.b!r}, probability={self.probability!r}, "
            f"weight={self.weight!r}, evidence={self.evidence!r})"
        )


class DeferredEvidence:
    """The evidence of a batch of scanned pairs, put into words the first time any of them is
    asked for: a scan of a million records keeps hundreds of thousands of pairs, and clustering
    needs only their scores (writing every sentence cost about a third of the scan's time and
    a fifth of its memory). Holds the scores of the batch's pairs and the table they refer to."""

    __slots__ = ("_explain", "_found")

    def __init__(self, explain: Callable[[], list[tuple[Evidence, ...]]]) -> None:
        self._explain: Callable[[], list[tuple[Evidence, ...]]] | None = explain
        self._found: list[tuple[Evidence, ...]] = []

    def of(self, row: int) -> tuple[Evidence, ...]:
        if self._explain is not None:
            self._found = self._explain()
            self._explain = None  # the table and the scores are no longer needed
        return self._found[row]


@dataclass
class Scored:
    """Scores of many pairs at once."""

    weight: NDArray[np.float64]  # total, prior included
    parts: NDArray[np.float64]  # (pairs, comparisons)
    levels: NDArray[np.int8]  # (pairs, comparisons)
    computed: list[Levels]

    @property
    def probability(self) -> NDArray[np.float64]:
        return probability(self.weight)

    def subset(self, rows: IntArray) -> Scored:
        """The scores of pairs `rows` only (what a deferred explanation keeps of a batch)."""
        return Scored(
            self.weight[rows],
            self.parts[rows],
            self.levels[rows],
            [Levels(c.level[rows], c.value[rows], c.column) for c in self.computed],
        )


def probability(weight: NDArray[np.float64]) -> NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp2(-np.clip(weight, -60.0, 60.0)))


class _Model:
    kind: ClassVar[str]
    base: ClassVar[tuple[Comparison, ...]]

    def __init__(
        self,
        m: Mapping[str, Sequence[float]],
        u: Mapping[str, Sequence[float]],
        prior: float,
        *,
        frequencies: Mapping[str, Mapping[str, int]] | None = None,
        total: int = 0,
        identifiers: Sequence[str] = (),
        trained_pairs: int = 0,
    ) -> None:
        self.identifiers = tuple(identifiers)
        self.comparisons = self.base + tuple(identifier_comparison(k) for k in self.identifiers)
        self.m = {c.name: [float(x) for x in m[c.name]] for c in self.comparisons}
        self.u = {c.name: [float(x) for x in u[c.name]] for c in self.comparisons}
        self.prior = float(prior)
        self.frequencies = {k: dict(v) for k, v in (frequencies or {}).items()}
        self.total = int(total)
        self.trained_pairs = int(trained_pairs)

    # ---- persistence --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "version": 1,
            # copies: a caller editing the dict must not change the model
            "m": {name: list(values) for name, values in self.m.items()},
            "u": {name: list(values) for name, values in self.u.items()},
            "prior": self.prior,
            "frequencies": self.frequencies,
            "total": self.total,
            "identifiers": list(self.identifiers),
            "trained_pairs": self.trained_pairs,
            "levels": {c.name: list(c.levels) for c in self.comparisons},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        if data.get("kind") != cls.kind:
            raise ValueError(f"not a {cls.kind} model: kind is {data.get('kind')!r}")
        # a comparison stored with other levels (an older version) starts from the defaults
        # until the next training, instead of scoring with misplaced figures
        fallback = cls.default()
        m, u = dict(data["m"]), dict(data["u"])
        for comparison in cls.base:
            name, size = comparison.name, len(comparison.levels)
            if len(m.get(name, ())) != size or len(u.get(name, ())) != size:
                m[name], u[name] = fallback.m[name], fallback.u[name]
        return cls(
            m,
            u,
            data["prior"],
            frequencies=data.get("frequencies") or {},
            total=data.get("total", 0),
            identifiers=data.get("identifiers") or (),
            trained_pairs=data.get("trained_pairs", 0),
        )

    @classmethod
    def default(cls) -> Self:
        table = defaults.PERSON if cls.kind == "person" else defaults.COMPANY
        return cls(
            {name: mu[0] for name, mu in table.items()},
            {name: mu[1] for name, mu in table.items()},
            defaults.PRIOR,
        )

    # ---- scoring ------------------------------------------------------------------------------

    def level_weights(self, name: str) -> NDArray[np.float64]:
        m, u = np.asarray(self.m[name]), np.asarray(self.u[name])
        weights = np.log2(np.maximum(m, _EPS) / np.maximum(u, _EPS))
        weights[0] = 0.0  # missing: no evidence
        return weights

    def _counts(
        self, table: Table, column: str, own: bool
    ) -> tuple[NDArray[np.float64], float] | None:
        """How many records share each value of the column, and out of how many; None when
        neither the table nor the model is large enough to say."""
        counts = table.counts(column).astype(np.float64)
        if own and len(table) >= MIN_FREQUENCY_BASE:
            return counts, float(len(table))
        if self.total < MIN_FREQUENCY_BASE:
            return None
        stored = self.frequencies.get(column, {})
        strings = table.strings(column)[:-1]
        known = np.fromiter(
            (stored.get(s, 0) for s in strings), dtype=np.float64, count=len(strings)
        )
        return np.maximum(counts, np.maximum(known, 1.0)), float(max(self.total, len(table), 1))

    def score_pairs(
        self, table: Table, i: IntArray, j: IntArray, *, own_frequencies: bool
    ) -> Scored:
        """Weights of pairs (i[k], j[k]) of the table. `own_frequencies`: value frequencies
        come from the table itself (a whole-set scan) rather than from the trained model."""
        table.scratch.clear()
        n = len(i)
        parts = np.zeros((n, len(self.comparisons)), dtype=np.float64)
        levels = np.zeros((n, len(self.comparisons)), dtype=np.int8)
        computed: list[Levels] = []
        for k, comparison in enumerate(self.comparisons):
            found = comparison.compute(table, i, j)
            computed.append(found)
            levels[:, k] = found.level
            weights = self.level_weights(comparison.name)
            parts[:, k] = weights[found.level]
            tf_rows = np.flatnonzero(found.value >= 0)
            frequency = self._counts(table, found.column, own_frequencies) if len(tf_rows) else None
            if frequency is not None:
                counts, total = frequency
                level = found.level[tf_rows]
                m = np.asarray(self.m[comparison.name])[level]
                u_value = counts[found.value[tf_rows]] / total
                adjusted = np.log2(np.maximum(m, _EPS) / np.maximum(u_value, _EPS))
                parts[tf_rows, k] = np.minimum(adjusted, weights[level] + TF_BOOST_CAP)
        table.scratch.clear()
        self._household_correction(parts, levels)
        prior = math.log2(self.prior / (1.0 - self.prior))
        return Scored(parts.sum(axis=1) + prior, parts, levels, computed)

    def _household_correction(self, parts: NDArray[np.float64], levels: NDArray[np.int8]) -> None:
        """Where the given names clearly differ, or the family names differ and the given
        names only resemble each other (Bill and Robert) or agree without the person's own
        inbox agreeing (two Annas at one company), shared contact points (phone, address,
        inbox, employer) describe a household or an office, not one person: their positive
        weight together is capped at `SHARED_CONTEXT_CAP` bits. Fellegi-Sunter assumes the
        fields independent; for relatives and colleagues they are not. (A married name keeps
        the given name and the inbox.)"""
        names = [c.name for c in self.comparisons]
        if "given_name" not in names or "family_name" not in names:
            return
        given, family = names.index("given_name"), names.index("family_name")
        given_differs = levels[:, given] == len(self.comparisons[given].levels) - 1
        family_differs = levels[:, family] == len(self.comparisons[family].levels) - 1
        # (a given name missing on one side is no sign of one person either). One given name
        # and two family names are a married name only where the person's own inbox agrees:
        # otherwise two colleagues called Anna at one company (decision 0056)
        own_inbox = (
            levels[:, names.index("email")] == 1
            if "email" in names
            else np.zeros(len(levels), bool)
        )
        suspect = given_differs | (family_differs & ((levels[:, given] != 1) | ~own_inbox))
        # a personal identifier (an ID number, a birth date) that agrees is no household's
        for k, name in enumerate(names):
            if name.startswith("x:") or name == "birth_date":
                suspect &= ~(
                    (levels[:, k] >= 1)
                    & (levels[:, k] <= 2 if name != "birth_date" else levels[:, k] == 1)
                )
        rows = np.flatnonzero(suspect)
        if len(rows) == 0:
            return
        context = [names.index(n) for n in SHARED_CONTEXT if n in names]
        block = parts[np.ix_(rows, context)]
        positive = np.maximum(block, 0.0)
        total = positive.sum(axis=1)
        scale = np.where(
            total > SHARED_CONTEXT_CAP, SHARED_CONTEXT_CAP / np.maximum(total, _EPS), 1.0
        )
        parts[np.ix_(rows, context)] = np.minimum(block, 0.0) + positive * scale[:, None]

    def _table(self, records: Sequence[Any]) -> Table:
        raise NotImplementedError

    def score_many(
        self,
        records: Sequence[Any],
        pairs: Sequence[tuple[int, int]],
        *,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> list[tuple[int, Match]]:
        """Pairs of `records` (positions) scored in one vectorised call, with value frequencies
        from the trained model: (index in `pairs`, Match with its evidence) of every pair that
        reaches the threshold, in the order of `pairs`. A door's check scores its candidates
        so: one pair at a time costs about a millisecond each."""
        if not pairs:
            return []
        table = self._table(records)
        i = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
        j = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
        scored = self.score_pairs(table, i, j, own_frequencies=False)
        keep = np.flatnonzero(scored.probability >= threshold)
        if len(keep) == 0:
            return []
        found = self.explain(table, scored, keep, i[keep], j[keep], own=False)
        return list(zip(keep.tolist(), found, strict=True))

    def _score_one(self, a: Any, b: Any) -> Match:
        table = self._table([a, b])
        scored = self.score_pairs(
            table,
            np.array([0], dtype=np.int64),
            np.array([1], dtype=np.int64),
            own_frequencies=False,
        )
        one = np.array([0], dtype=np.int64)
        return self.explain(table, scored, one, one, one + 1, own=False)[0]

    def explain(
        self, table: Table, scored: Scored, rows: IntArray, i: IntArray, j: IntArray, *, own: bool
    ) -> list[Match]:
        """The Matches of pairs `rows` of `scored` (records i[k] and j[k] of the table), each
        with its evidence. `own`: value frequencies are the table's (see `score_pairs`)."""
        evidence = self._evidence(table, scored, rows, i, j, own=own)
        return [
            Match(a, b, chance, weight, evidence[n])
            for n, (a, b, chance, weight) in enumerate(self._scores(table, scored, rows, i, j))
        ]

    def explain_later(
        self, table: Table, scored: Scored, rows: IntArray, i: IntArray, j: IntArray, *, own: bool
    ) -> list[Match]:
        """`explain` with the evidence written when first asked for (`DeferredEvidence`):
        the same Matches, without the cost for callers that read only the scores."""
        if len(rows) == 0:
            return []
        kept = scored.subset(rows)
        everything = np.arange(len(rows))
        deferred = DeferredEvidence(lambda: self._evidence(table, kept, everything, i, j, own=own))
        return [
            Match(a, b, chance, weight, deferred, n)
            for n, (a, b, chance, weight) in enumerate(self._scores(table, scored, rows, i, j))
        ]

    @staticmethod
    def _scores(
        table: Table, scored: Scored, rows: IntArray, i: IntArray, j: IntArray
    ) -> zip[tuple[str, str, float, float]]:
        """(id a, id b, probability, rounded weight) of pairs `rows`."""
        ids = table.ids
        weights = scored.weight[rows]
        return zip(
            [ids[x] for x in i.tolist()],
            [ids[x] for x in j.tolist()],
            probability(weights).tolist(),
            [round(w, 3) for w in weights.tolist()],
            strict=True,
        )

    def _evidence(
        self, table: Table, scored: Scored, rows: IntArray, i: IntArray, j: IntArray, *, own: bool
    ) -> list[tuple[Evidence, ...]]:
        from tidycrm.matching.explain import details

        # fields missing on either side are no evidence: left out
        found_rows: list[list[Evidence]] = [[] for _ in range(len(rows))]
        for k, comparison in enumerate(self.comparisons):
            found = scored.computed[k]
            frequency = self._counts(table, found.column, own) if found.column else None
            counts, total = frequency if frequency is not None else (None, 0.0)
            sentences = details(table, comparison, found, rows, i, j, counts, total)
            names, name = comparison.levels, comparison.name
            levels = scored.levels[rows, k]
            present = np.flatnonzero(levels)
            for row, level, weight in zip(
                present.tolist(),
                levels[present].tolist(),
                scored.parts[rows[present], k].tolist(),
                strict=True,
            ):
                found_rows[row].append(
                    Evidence(name, names[level], round(weight, 3), sentences[row])
                )
        return [tuple(row) for row in found_rows]

    # ---- training -----------------------------------------------------------------------------

    @classmethod
    def _fit(
        cls,
        table: Table,
        keys: Sequence[tuple[str, IntArray]],
        identifiers: Sequence[str],
        *,
        max_pairs: int,
        seed: int,
    ) -> Self:
        """u from random pairs; m by EM, once per kind of blocking key on the pairs that key
        finds, leaving out the comparisons the key forces to agree (they would teach the model
        that agreeing on the key is what a duplicate is); the prior last, on all candidates."""
        rng = np.random.default_rng(seed)
        start = cls.default()
        m = {c.name: list(start.m[c.name]) for c in start.comparisons}
        u = {c.name: list(start.u[c.name]) for c in start.comparisons}
        for key in identifiers:
            m[f"x:{key}"], u[f"x:{key}"] = (
                list(defaults.IDENTIFIER[0]),
                list(defaults.IDENTIFIER[1]),
            )
        model = cls(m, u, defaults.PRIOR, identifiers=identifiers)
        n = len(table)
        if n < 2:
            return model
        sample = min(max_pairs, n * (n - 1) // 2, RANDOM_PAIRS)
        ri, rj = rng.integers(0, n, size=sample), rng.integers(0, n, size=sample)
        keep = ri != rj
        random_levels = model.score_pairs(table, ri[keep], rj[keep], own_frequencies=True).levels
        for k, comparison in enumerate(model.comparisons):
            model.u[comparison.name] = _frequencies(
                random_levels[:, k], len(comparison.levels), model.u[comparison.name], sample
            )
        names = [c.name for c in model.comparisons]
        # every candidate pair scored once; each kind of key then picks its own rows
        codes = {
            kind: candidate_codes(table, [(k, col) for k, col in keys if k == kind])
            for kind in dict.fromkeys(kind for kind, _ in keys)
        }
        union = np.unique(np.concatenate(list(codes.values()))) if codes else np.zeros(0, np.int64)
        if len(union) > max_pairs:
            union = np.sort(rng.choice(union, size=max_pairs, replace=False))
        levels = model.score_pairs(table, union // n, union % n, own_frequencies=True).levels
        learned: dict[str, list[tuple[float, NDArray[np.float64]]]] = {name: [] for name in names}
        sessions: list[tuple[str, float]] = []
        single: list[tuple[str, int, NDArray[np.int8], float]] = []
        for kind, kind_codes in codes.items():
            at = np.searchsorted(union, kind_codes)
            at = at[(at < len(union)) & (union[np.minimum(at, len(union) - 1)] == kind_codes)]
            if len(at) < MIN_TRAINING_PAIRS:
                continue
            rows = levels[at]
            # comparisons this key leaves free and that have values on enough of its pairs
            present = (rows > 0).mean(axis=0) >= MIN_PRESENT
            free = [k for k, name in enumerate(names) if name not in kind.split() and present[k]]
            if len(free) == 1:
                # one free comparison cannot tell duplicates from look-alikes by itself:
                # learned below, once the number of duplicates is known
                single.append((kind, free[0], rows, len(kind_codes) / len(at)))
            if len(free) < 2:
                continue
            session_m, matches = _expectation_maximisation(model, rows, free)
            for k in free:
                learned[names[k]].append((matches, session_m[names[k]]))
            sessions.append((kind, matches * len(kind_codes) / len(at)))
        for name, found in learned.items():
            total = sum(w for w, _ in found)
            if total > 0:
                em = sum(w * mm for w, mm in found) / total
                prior_m = np.asarray(start.m.get(name, defaults.IDENTIFIER[0]))
                # a little of the untrained m keeps levels rare in this data possible
                mixed = (1 - SHRINK) * em + SHRINK * prior_m
                model.m[name] = [1.0] + [float(x) for x in mixed[1:]]
        model.prior = _prior(model, sessions, levels, len(union), n)
        # comparisons only keys on other fields leave free (a birth date where the keys are
        # names and the birth date itself): learned from the count of duplicates, which
        # is then counted again with what they taught
        untaught = [s for s in single if not learned[names[s[1]]]]
        for _ in range(SINGLE_ROUNDS if untaught else 0):
            duplicates = model.prior * n * (n - 1) / 2
            for kind, k, rows, scale in untaught:
                # the share of duplicates these keys find: those not "different" on them
                recall = float(np.prod([1 - model.m[f][-1] for f in kind.split() if f in model.m]))
                share = duplicates * recall / (len(rows) * scale)
                if 0.001 <= share <= 0.99:
                    model.m[names[k]] = _m_given_share(model, names[k], rows[:, k], share)
            model.prior = _prior(model, sessions, levels, len(union), n)
        pairs = union
        model.trained_pairs = len(pairs)
        model.total = n
        model.frequencies = _top_frequencies(table, model.comparisons)
        return model


def _m_given_share(model: _Model, name: str, levels: NDArray[np.int8], share: float) -> list[float]:
    """m of one comparison from its levels on pairs of which `share` are duplicates: what
    the non-duplicates (at rate u) do not explain is the duplicates' doing."""
    u = np.asarray(model.u[name])
    size = len(u)
    counts = np.bincount(levels, minlength=size)[:size].astype(np.float64)
    known = counts[1:].sum()
    if known == 0:
        return list(model.m[name])
    observed = counts / known
    # The agreeing levels are rare among unrelated pairs, so what they show above u is the
    # duplicates' doing; "different" is where the count's error would pile up (it absorbs
    # every look-alike the count misjudges): duplicates keep the untrained share there.
    different = float(model.m[name][-1])
    agree = observed[1:-1] - u[1:-1]
    if agree.sum() > 0:
        share = min(share, float(agree.sum()) / (1.0 - different))
    m = np.clip((observed - (1 - share) * u) / share, 0.0, None)
    m[0] = 0.0
    m[-1] = different
    m = (1 - SHRINK) * m / max(m.sum(), _EPS) + SHRINK * np.asarray(model.m[name])
    m[0] = 1.0
    return [float(x) for x in m]


def _prior(
    model: _Model,
    sessions: Sequence[tuple[str, float]],
    levels: NDArray[np.int8],
    candidates: int,
    n: int,
) -> float:
    """The probability that two records picked at random are one person.

    Counted, not fitted: a key that forces one comparison to agree (the same e-mail, phone,
    birth date or identifier) finds the duplicates agreeing there; divided by the share of
    duplicates that agree there (that comparison's learned m), it estimates all duplicates.
    The median over such keys is used. Without one, EM's share of duplicates among the
    candidates stands in. Fitting the prior on the candidates alone goes wrong where blocking
    gathers many look-alikes (namesakes)."""
    pairs = n * (n - 1) / 2
    estimates = []
    for kind, matches in sessions:
        agree = _KEY_LEVELS.get(kind) or (_IDENTIFIER_LEVELS if kind.startswith("x:") else None)
        if agree is None or kind not in model.m:
            continue
        recall = sum(model.m[kind][level] for level in agree)
        if recall >= 0.05:
            estimates.append(matches / recall)
    if estimates:
        duplicates = float(np.median(estimates))
    elif candidates == 0 or len(levels) == 0:
        return model.prior  # a tiny database gives no pairs to count from: keep the untrained one
    else:
        duplicates = _estimate_prior(model, levels) * candidates
    return float(np.clip(duplicates / max(pairs, 1.0), 1e-12, 0.5))


# the levels a key of this kind guarantees (a shared phone key is the last digits)
_KEY_LEVELS = {"email": (1, 2), "phone": (1, 2), "birth_date": (1,)}
_IDENTIFIER_LEVELS = (1,)


def _frequencies(
    levels: NDArray[np.int8], size: int, fallback: Sequence[float], n: int
) -> list[float]:
    counts = np.bincount(levels, minlength=size).astype(np.float64)[:size]
    known = counts[1:].sum()
    if known < 100:
        return list(fallback)
    # a level never seen among random pairs is rare, not impossible
    share = (counts + 0.5 / max(n, 1)) / (known + 0.5 * size / max(n, 1))
    share[0] = 1.0
    return [float(x) for x in share]


def _log_likelihoods(
    model: _Model, patterns: NDArray[np.int8], columns: Sequence[int], m: Mapping[str, Any]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    names = [c.name for c in model.comparisons]
    log_m = np.zeros(len(patterns))
    log_u = np.zeros(len(patterns))
    for k in columns:
        log_m += np.log(np.maximum(np.asarray(m[names[k]])[patterns[:, k]], _EPS))
        log_u += np.log(np.maximum(np.asarray(model.u[names[k]])[patterns[:, k]], _EPS))
    return log_m, log_u


def _posterior(
    log_m: NDArray[np.float64], log_u: NDArray[np.float64], prior: float
) -> NDArray[np.float64]:
    odds = math.log(prior) - math.log(1 - prior) + log_m - log_u
    result: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(odds, -500, 500)))
    return result


def _expectation_maximisation(
    model: _Model, levels: NDArray[np.int8], free: Sequence[int], *, rounds: int = 40
) -> tuple[dict[str, NDArray[np.float64]], float]:
    """m of the free comparisons learned from these pairs, and the expected number of
    duplicates among them (how much this estimate counts)."""
    patterns, counts_int = np.unique(levels[:, free], axis=0, return_counts=True)
    full = np.zeros((len(patterns), levels.shape[1]), dtype=np.int8)
    full[:, free] = patterns
    counts = counts_int.astype(np.float64)
    names = [c.name for c in model.comparisons]
    m = {names[k]: np.asarray(model.m[names[k]], dtype=np.float64) for k in free}
    prior = 0.1
    weight = counts
    for _ in range(rounds):
        log_m, log_u = _log_likelihoods(model, full, free, m)
        weight = counts * _posterior(log_m, log_u, prior)
        prior = float(np.clip(weight.sum() / counts.sum(), 1e-6, 0.999))
        for k in free:
            size = len(m[names[k]])
            sums = np.bincount(full[:, k], weights=weight, minlength=size)[:size]
            known = sums[1:].sum()
            if known > 0:
                fresh = (sums + 1e-3) / (known + 1e-3 * size)
                fresh[0] = 1.0
                m[names[k]] = fresh
    return m, float(weight.sum())


def _estimate_prior(model: _Model, levels: NDArray[np.int8], *, rounds: int = 30) -> float:
    """The share of duplicates among candidate pairs, with m and u fixed."""
    patterns, counts_int = np.unique(levels, axis=0, return_counts=True)
    counts = counts_int.astype(np.float64)
    log_m, log_u = _log_likelihoods(model, patterns, range(levels.shape[1]), model.m)
    prior = 0.1
    for _ in range(rounds):
        weight = counts * _posterior(log_m, log_u, prior)
        prior = float(np.clip(weight.sum() / counts.sum(), 1e-6, 0.5))
    return prior


def _top_frequencies(table: Table, comparisons: Sequence[Comparison]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    columns = {"given", "family", "email", "tail", "company", "postcode", "domain", "birth"}
    columns |= {c.name for c in comparisons if c.name.startswith("x:")}
    for column in columns:
        if column not in table.columns:
            continue
        counts = table.counts(column)
        if len(counts) == 0:
            continue
        strings = table.strings(column)
        out[column] = {str(strings[c]): int(counts[c]) for c in _most_common(counts, strings)}
    return out


def _most_common(counts: IntArray, strings: NDArray[np.object_]) -> list[int]:
    """Codes of the `TF_STORED` values most records share (more than one each), ties in text
    order: the same values whatever the vocabulary's numbering."""
    shared = np.flatnonzero(counts > 1)
    if len(shared) > TF_STORED:
        cutoff = np.partition(counts[shared], len(shared) - TF_STORED)[len(shared) - TF_STORED]
        shared = shared[counts[shared] >= cutoff]
    ranked = sorted(shared.tolist(), key=lambda c: (-int(counts[c]), str(strings[c])))
    return ranked[:TF_STORED]


class PersonModel(_Model):
    kind = "person"
    base = PERSON_COMPARISONS

    @classmethod
    def train(
        cls,
        records: Sequence[PersonRecord],
        *,
        max_pairs: int = 2_000_000,
        seed: int = 0,
        max_records: int = 300_000,
    ) -> PersonModel:
        """Learned from the records themselves; above `max_records`, from a random sample of
        them (a uniform sample keeps the share of duplicates among pairs)."""
        sample = _sample(records, max_records, seed)
        model, _ = cls.train_for_scan(
            sample, max_pairs=max_pairs, seed=seed, max_records=len(sample)
        )
        return model

    @classmethod
    def train_for_scan(
        cls,
        records: Iterable[PersonRecord],
        *,
        max_pairs: int = 2_000_000,
        seed: int = 0,
        max_records: int = 300_000,
    ) -> tuple[PersonModel, Table]:
        """`train`, and the table of all the records, which `scan_people` then takes instead
        of building it again (at a million records the table costs more than the training).
        One pass over the records: a scan streams them instead of holding them all.

        The model is the one `train` gives: the sampled rows of the whole table are the
        table of the sampled records, and its extra identifiers are chosen on those rows."""
        table = people_table(records, None)
        rows = _sample_rows(len(table), max_records, seed)
        part = table if rows is None else table.take(rows)
        identifiers = tuple(
            name[2:]
            for name, codes in sorted(part.columns.items())
            if name.startswith("x:") and np.count_nonzero(codes >= 0) * 10 >= len(part)
        )
        for name in [n for n in table.columns if n.startswith("x:") and n[2:] not in identifiers]:
            del table.columns[name], table.vocab[name]
            part.columns.pop(name, None)
        keys = list(person_key_columns(part))
        return cls._fit(part, keys, identifiers, max_pairs=max_pairs, seed=seed), table

    def score(self, a: PersonRecord, b: PersonRecord) -> Match:
        return self._score_one(a, b)

    def _table(self, records: Sequence[Any]) -> Table:
        return people_table(records, self.identifiers)


class CompanyModel(_Model):
    kind = "company"
    base = COMPANY_COMPARISONS

    @classmethod
    def train(
        cls,
        records: Sequence[CompanyRecord],
        *,
        max_pairs: int = 2_000_000,
        seed: int = 0,
        max_records: int = 300_000,
    ) -> CompanyModel:
        records = _sample(records, max_records, seed)
        table = companies_table(records)
        keys = list(company_key_columns(table))
        return cls._fit(table, keys, (), max_pairs=max_pairs, seed=seed)

    def score(self, a: CompanyRecord, b: CompanyRecord) -> Match:
        return self._score_one(a, b)

    def _table(self, records: Sequence[Any]) -> Table:
        return companies_table(records)


def _sample(records: Sequence[Any], size: int, seed: int) -> Sequence[Any]:
    rows = _sample_rows(len(records), size, seed)
    return records if rows is None else [records[k] for k in rows.tolist()]


def _sample_rows(count: int, size: int, seed: int) -> IntArray | None:
    """Sorted positions of a uniform sample of `size` of `count` records; None: all of them."""
    if count <= size:
        return None
    return np.sort(np.random.default_rng(seed).choice(count, size=size, replace=False))
