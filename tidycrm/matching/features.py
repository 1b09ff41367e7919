"""Records turned into columns of integer codes, so comparisons run on numpy arrays.

Every text value is interned into a vocabulary (one per kind of value); -1 means missing.
Multi-valued fields (e-mails, phones) keep up to `SLOTS` values per record.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from tidycrm.core.collector import paused_collection
from tidycrm.hygiene.companies import company_name_key, domain_from_email
from tidycrm.hygiene.emails import is_role_address, match_key
from tidycrm.hygiene.text import fold
from tidycrm.matching.names import name_key, person_name_keys, phonetic, whole_name
from tidycrm.matching.records import CompanyRecord, PersonRecord

SLOTS = 3
CHUNK = 50_000  # records whose keys `people_table` holds as strings at a time
# what is not a letter or digit (str.isalnum); \w alone would keep the underscore
_NOT_ALNUM = re.compile(r"[\W_]+")
IntArray = NDArray[np.int64]


@dataclass
class Vocabulary:
    """Interned strings: code -> text and text -> code."""

    texts: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    sealed: bool = False

    def code(self, text: str) -> int:
        if self.sealed:
            raise RuntimeError("a sealed vocabulary takes no new texts")
        if not text:
            return -1
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.texts)
            self.texts.append(text)
        return found

    def seal(self) -> None:
        """The vocabulary is complete: its text -> code dict is dropped (the dicts of a
        million-record table's vocabularies take a few hundred megabytes, and a built table
        only reads codes and texts)."""
        self.index = {}
        self.sealed = True

    def array(self) -> NDArray[np.object_]:
        out = np.empty(len(self.texts) + 1, dtype=object)
        out[:-1] = self.texts
        out[-1] = ""  # code -1 reads as the empty string
        return out


@dataclass
class Table:
    """Columns of codes for n records. `vocab[name]` holds the strings of column `name`."""

    ids: list[str]
    columns: dict[str, IntArray]
    vocab: dict[str, Vocabulary]
    flags: dict[str, NDArray[np.bool_]] = field(default_factory=dict)  # per vocabulary code
    _strings: dict[str, NDArray[np.object_]] = field(default_factory=dict)
    # arrays derived from the vocabularies, and per-batch intermediate results
    derived: dict[str, NDArray[np.int64]] = field(default_factory=dict)
    scratch: dict[object, object] = field(default_factory=dict)
    counted: dict[str, IntArray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: IntArray) -> Table:
        """The table of these rows (in this order). Vocabularies, flags and the arrays derived
        from them are shared: they hold one entry per vocabulary code, whatever rows use it."""
        return Table(
            ids=[self.ids[k] for k in rows.tolist()],
            columns={name: values[rows] for name, values in self.columns.items()},
            vocab=self.vocab,
            flags=self.flags,
            _strings=self._strings,
            derived=self.derived,
        )

    def strings(self, column: str) -> NDArray[np.object_]:
        """The column's vocabulary as an array; index -1 gives ""."""
        name = _VOCAB_OF.get(column, column)
        if name not in self._strings:
            self._strings[name] = self.vocab[name].array()
        return self._strings[name]

    def counts(self, column: str) -> IntArray:
        """How many records carry each code of the column's vocabulary (counted once: a scan
        asks for every batch of pairs, and the columns never change)."""
        if column not in self.counted:
            self.counted[column] = self._count(column)
        return self.counted[column]

    def _count(self, column: str) -> IntArray:
        values = self.columns[column]
        size = len(self.vocab[_VOCAB_OF.get(column, column)].texts)
        flat = values.ravel()
        if values.ndim == 2:  # a record counts once per value even if listed twice
            rows = np.repeat(np.arange(values.shape[0]), values.shape[1])
            pairs = np.unique(rows[flat >= 0] * (size + 1) + flat[flat >= 0])
            flat = pairs % (size + 1)
        return np.bincount(flat[flat >= 0], minlength=size).astype(np.int64)


# Columns sharing a vocabulary (given and family names share one so swaps compare by code).
_VOCAB_OF = {"given": "name", "family": "name", "whole": "name", "email_local": "local"}


def _email_parts(address: str) -> tuple[str, str, str, bool]:
    """(match key, local part without separators, organisation domain, is a role address)."""
    key = match_key(address)
    local, at, domain = key.rpartition("@")
    if not at or not local:
        return "", "", "", False
    # the local part without separators: john.smith@work and johnsmith@home meet
    bare = local.replace(".", "").replace("_", "").replace("-", "")
    return key, bare, _organisation_domain(domain), is_role_address(key)


@lru_cache(maxsize=65536)
def _organisation_domain(domain: str) -> str:
    return domain_from_email("x@" + domain)


def _made_of_name(local: str, given: str, family: str) -> bool:
    """Is the local part one people make of their names: johnsmith, smithjohn, jsmith, john,
    smith? (Such a local part says no more than the name does.)"""
    g, f = _NOT_ALNUM.sub("", given), _NOT_ALNUM.sub("", family)
    return local in (g + f, f + g, g[:1] + f, f + g[:1], g, f)


def phone_key(raw: str) -> str:
    """Digits of the number, with "+" kept for international form; "" when too short."""
    if raw[:1] == "+" and raw[1:].isdigit() and raw.isascii():
        return raw if len(raw) > 6 else ""  # stored E.164: the common case
    text = raw.split(";", 1)[0].split(" ext", 1)[0].split("x", 1)[0]
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < 6:
        return ""
    if text.strip().startswith("00"):
        return "+" + digits[2:]
    return ("+" if text.strip().startswith("+") else "") + digits


def street_key(text: str) -> str:
    folded = fold(text)
    for long, short in (("strasse", "str"), ("street", "st"), ("road", "rd"), ("avenue", "ave")):
        folded = folded.replace(long, short)
    return _NOT_ALNUM.sub("", folded)


@lru_cache(maxsize=65536)
def place_key(text: str) -> str:
    return _NOT_ALNUM.sub("", fold(text))


def _slots(values: Iterable[str], vocab: Vocabulary) -> list[int]:
    codes: list[int] = []
    for value in values:
        code = vocab.code(value)
        if code >= 0 and code not in codes:
            codes.append(code)
            if len(codes) == SLOTS:
                break
    return codes + [-1] * (SLOTS - len(codes))


def _intern(values: list[str], vocab: Vocabulary) -> IntArray:
    """Codes of a column of strings ("" is missing: -1), extending the vocabulary."""
    index = vocab.index
    add = index.setdefault
    # len(index) is read before the insertion: a new string gets the next code
    codes = [add(v, len(index)) if v else -1 for v in values]
    vocab.texts = list(index)
    return np.array(codes, dtype=np.int64)


def _distinct(values: Iterable[str]) -> list[str]:
    kept: list[str] = []
    for value in values:
        if value and value not in kept:
            kept.append(value)
    return kept


class _Collected:
    """A column gathered record by record as codes, each distinct string kept once (strings
    and lists per record took about a gigabyte at a million records). `width` values per
    record: a multi-valued column keeps the first SLOTS of each record's distinct values."""

    __slots__ = ("codes", "seen")

    def __init__(self, width: int = 1) -> None:
        # per slot: text -> code in order of first appearance, and each record's code
        self.seen: list[dict[str, int]] = [{} for _ in range(width)]
        self.codes = [array("q") for _ in range(width)]

    def extend(self, values: list[str]) -> None:
        """One value per record ("" is missing) of a column of width 1."""
        seen = self.seen[0]
        add = seen.setdefault
        # len(seen) is read before the insertion: a new text gets the next code
        self.codes[0].extend([add(v, len(seen)) if v else -1 for v in values])

    def extend_rows(self, rows: list[list[str]]) -> None:
        """Each record's distinct values, the first in slot 0."""
        for slot, (seen, column) in enumerate(zip(self.seen, self.codes, strict=True)):
            add = seen.setdefault
            values = [r[slot] if len(r) > slot else "" for r in rows]
            column.extend([add(v, len(seen)) if v else -1 for v in values])

    def codes_in(self, vocab: Vocabulary, key: Callable[[str], str] | None = None) -> IntArray:
        """The codes in the vocabulary's numbering, which grows by the new texts (their `key`
        when given; a key "" is missing) slot by slot in order of first appearance: the
        numbering interning the whole column at once would give."""
        out = np.full((len(self.codes[0]), len(self.codes)), -1, dtype=np.int64)
        for slot, (seen, column) in enumerate(zip(self.seen, self.codes, strict=True)):
            local = np.frombuffer(column, dtype=np.int64)
            if key is None and not vocab.index:
                # the first texts of the vocabulary: their codes stand, and their dict is its
                vocab.index = seen
                out[:, slot] = local
                self.seen[slot] = {}
                continue
            index = vocab.index
            texts = seen if key is None else (key(text) for text in seen)
            # len(index) is read before the insertion: a new text gets the next code
            code_of = np.fromiter(
                (index.setdefault(t, len(index)) if t else -1 for t in texts),
                dtype=np.int64,
                count=len(seen),
            )
            present = local >= 0
            out[present, slot] = code_of[local[present]]
            self.seen[slot] = {}  # the vocabulary holds the texts now
        vocab.texts = list(vocab.index)
        return out[:, 0] if len(self.codes) == 1 else out


def people_table(records: Iterable[PersonRecord], extras: Sequence[str] | None = ()) -> Table:
    """The columns of a set of people (see `comparisons.PERSON_COMPARISONS` for their use).

    One pass over the records (an iterator will do: a scan streams them from the database)
    collects the keys as strings; each column is then interned at once (a million records: a
    few seconds). `extras`: the extra identifiers given a column ("x:key"); None: every one
    any record carries."""
    with paused_collection():
        return _people_table(records, extras)


def _people_table(records: Iterable[PersonRecord], extras: Sequence[str] | None) -> Table:
    single = ["given", "family", "whole", "company", "street", "city", "postcode", "birth"]
    multi = ["email", "email_local", "domain", "phone", "tail"]
    collected = {name: _Collected() for name in single}
    collected |= {name: _Collected(SLOTS) for name in multi}
    # the keys of up to CHUNK records as strings, then as codes: lists of strings are quick
    # to fill and to intern, but for a million records they take about a gigabyte
    pending: dict[str, list[str]] = {name: [] for name in collected if name not in multi}
    pending_rows: dict[str, list[list[str]]] = {name: [] for name in multi}

    def flush() -> None:
        for name, values in pending.items():
            collected[name].extend(values)
            values.clear()
        for name, rows in pending_rows.items():
            collected[name].extend_rows(rows)
            rows.clear()

    given_col, family_col, whole_col = pending["given"], pending["family"], pending["whole"]
    emails_col, locals_col = pending_rows["email"], pending_rows["email_local"]
    domains_col, phones_col, tails_col = (
        pending_rows["domain"],
        pending_rows["phone"],
        pending_rows["tail"],
    )
    company_col, street_col, city_col = pending["company"], pending["street"], pending["city"]
    postcode_col, birth_col = pending["postcode"], pending["birth"]
    # extra identifiers are few and rare: per key, row -> value
    extra_values: dict[str, dict[int, str]] = {key: {} for key in extras or ()}
    roles: set[str] = set()
    no_values: list[str] = []
    ids: list[str] = []
    count = 0
    for count, rec in enumerate(records, 1):
        ids.append(rec.id)
        given, family = person_name_keys(
            rec.given_name, rec.family_name, rec.full_name, rec.country
        )
        given_col.append(given)
        family_col.append(family)
        whole_col.append(whole_name(given, family))
        if len(rec.emails) == 1:  # the common case, without the generality below
            key, bare, domain, is_role = _email_parts(rec.emails[0])
            emails_col.append([key] if key else no_values)
            plain = bare and not is_role and not _made_of_name(bare, given, family)
            locals_col.append([bare] if plain else no_values)
            domains_col.append([domain] if domain else no_values)
            if is_role:
                roles.add(key)
        elif rec.emails:
            parts = [_email_parts(e) for e in rec.emails]
            emails_col.append(_distinct(p[0] for p in parts))
            locals_col.append(
                _distinct(
                    p[1] for p in parts if not p[3] and not _made_of_name(p[1], given, family)
                )
            )
            domains_col.append(_distinct(p[2] for p in parts))
            roles.update(p[0] for p in parts if p[3])
        else:
            emails_col.append(no_values)
            locals_col.append(no_values)
            domains_col.append(no_values)
        if len(rec.phones) == 1:
            phone = phone_key(rec.phones[0])
            phones_col.append([phone] if phone else no_values)
            tails_col.append([phone[-7:]] if phone else no_values)
        elif rec.phones:
            keys = _distinct(phone_key(p) for p in rec.phones)
            phones_col.append(keys)
            tails_col.append(_distinct(k[-7:] for k in keys))
        else:
            phones_col.append(no_values)
            tails_col.append(no_values)
        company_col.append(rec.company)
        street_col.append(rec.street)
        city_col.append(rec.city)
        postcode_col.append(rec.postal_code)
        birth_col.append(rec.birth_date.strip())
        for key, value in rec.extra.items():
            text = value.strip().casefold()
            if text and (extras is None or key in extra_values):
                extra_values.setdefault(key, {})[count - 1] = text
        if count % CHUNK == 0:
            flush()
    flush()
    kinds = ("name", "local", "email", "domain", "phone", "tail", "phon", "company", "street")
    vocab = {name: Vocabulary() for name in (*kinds, "city", "postcode", "birth")}
    # companies, streets and places repeat: each distinct text is keyed once
    keyed: dict[str, Callable[[str], str]] = {
        "company": company_name_key,
        "street": street_key,
        "city": place_key,
        "postcode": place_key,
    }
    # in this order: given names take the first codes of the vocabulary they share
    columns: dict[str, IntArray] = {
        name: collected[name].codes_in(vocab[_VOCAB_OF.get(name, name)], keyed.get(name))
        for name in (*single, *multi)
    }
    # phonetic codes per distinct family name, not per record
    names = vocab["name"].texts
    phon_of = _intern([phonetic(t) for t in names], vocab["phon"])
    columns["phon"] = np.append(phon_of, -1)[columns["family"]]
    for key in sorted(extra_values) if extras is None else extras:
        vocab[f"x:{key}"] = Vocabulary()
        texts = [""] * count
        for row, text in extra_values[key].items():
            texts[row] = text
        columns[f"x:{key}"] = _intern(texts, vocab[f"x:{key}"])
    role = np.zeros(len(vocab["email"].texts), dtype=bool)
    codes = [vocab["email"].index[r] for r in roles if r in vocab["email"].index]
    role[codes] = True
    for vocabulary in vocab.values():
        vocabulary.seal()
    return Table(ids=ids, columns=columns, vocab=vocab, flags={"email_role": role})


def companies_table(records: Sequence[CompanyRecord]) -> Table:
    names, domains, phones, tails = Vocabulary(), Vocabulary(), Vocabulary(), Vocabulary()
    street, city, postcode = Vocabulary(), Vocabulary(), Vocabulary()
    n = len(records)
    cols = {c: np.full(n, -1, dtype=np.int64) for c in ("company", "street", "city", "postcode")}
    multi = {c: np.full((n, SLOTS), -1, dtype=np.int64) for c in ("domain", "phone", "tail")}
    ids: list[str] = []
    for row, rec in enumerate(records):
        ids.append(rec.id)
        cols["company"][row] = names.code(company_name_key(rec.name))
        multi["domain"][row] = _slots((d.strip().casefold() for d in rec.domains), domains)
        keys = [phone_key(p) for p in rec.phones]
        multi["phone"][row] = _slots(keys, phones)
        multi["tail"][row] = _slots((k[-7:] for k in keys if k), tails)
        cols["street"][row] = street.code(street_key(rec.street))
        cols["city"][row] = city.code(place_key(rec.city))
        cols["postcode"][row] = postcode.code(place_key(rec.postal_code))
    vocab = {
        "company": names,
        "domain": domains,
        "phone": phones,
        "tail": tails,
        "street": street,
        "city": city,
        "postcode": postcode,
    }
    return Table(ids=ids, columns={**cols, **multi}, vocab=vocab)


ProgressFn = Callable[[int, int], None]
__all__ = ["SLOTS", "Table", "Vocabulary", "companies_table", "name_key", "people_table"]
