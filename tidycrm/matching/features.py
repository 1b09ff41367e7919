"""Records turned into columns of integer codes, so comparisons run on numpy arrays.

Every text value is interned into a vocabulary (one per kind of value); -1 means missing.
Multi-valued fields (e-mails, phones) keep up to `SLOTS` values per record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from tidycrm.hygiene.companies import company_name_key, domain_from_email
from tidycrm.hygiene.emails import is_role_address, match_key
from tidycrm.hygiene.text import fold
from tidycrm.matching.names import name_key, person_name_keys, phonetic
from tidycrm.matching.records import CompanyRecord, PersonRecord

SLOTS = 3
IntArray = NDArray[np.int64]


@dataclass
class Vocabulary:
    """Interned strings: code -> text and text -> code."""

    texts: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def code(self, text: str) -> int:
        if not text:
            return -1
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.texts)
            self.texts.append(text)
        return found

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

    def __len__(self) -> int:
        return len(self.ids)

    def strings(self, column: str) -> NDArray[np.object_]:
        """The column's vocabulary as an array; index -1 gives ""."""
        name = _VOCAB_OF.get(column, column)
        if name not in self._strings:
            self._strings[name] = self.vocab[name].array()
        return self._strings[name]

    def counts(self, column: str) -> IntArray:
        """How many records carry each code of the column's vocabulary."""
        values = self.columns[column]
        size = len(self.vocab[_VOCAB_OF.get(column, column)].texts)
        flat = values.ravel()
        if values.ndim == 2:  # a record counts once per value even if listed twice
            rows = np.repeat(np.arange(values.shape[0]), values.shape[1])
            pairs = np.unique(rows[flat >= 0] * (size + 1) + flat[flat >= 0])
            flat = pairs % (size + 1)
        return np.bincount(flat[flat >= 0], minlength=size).astype(np.int64)


# Columns sharing a vocabulary (given and family names share one so swaps compare by code).
_VOCAB_OF = {"given": "name", "family": "name", "email_local": "local"}


@lru_cache(maxsize=262144)
def _email_parts(address: str) -> tuple[str, str, str, bool]:
    """(match key, local part, organisation domain, is a role address)."""
    key = match_key(address)
    if "@" not in key:
        return "", "", "", False
    # the local part without separators: john.smith@work and johnsmith@home meet
    local = key.rsplit("@", 1)[0].replace(".", "").replace("_", "").replace("-", "")
    return key, local, domain_from_email(key), is_role_address(key)


@lru_cache(maxsize=262144)
def _name_forms(given: str, family: str) -> frozenset[str]:
    """Local parts people make of their names: johnsmith, smithjohn, jsmith, john, smith."""
    g = "".join(ch for ch in given if ch.isalnum())
    f = "".join(ch for ch in family if ch.isalnum())
    return frozenset(x for x in (g + f, f + g, g[:1] + f, f + g[:1], g, f) if x)


@lru_cache(maxsize=262144)
def phone_key(raw: str) -> str:
    """Digits of the number, with "+" kept for international form; "" when too short."""
    text = raw.split(";", 1)[0].split(" ext", 1)[0].split("x", 1)[0]
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) < 6:
        return ""
    if text.strip().startswith("00"):
        return "+" + digits[2:]
    return ("+" if text.strip().startswith("+") else "") + digits


@lru_cache(maxsize=262144)
def street_key(text: str) -> str:
    folded = fold(text)
    for long, short in (("strasse", "str"), ("street", "st"), ("road", "rd"), ("avenue", "ave")):
        folded = folded.replace(long, short)
    return "".join(ch for ch in folded if ch.isalnum())


@lru_cache(maxsize=65536)
def place_key(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


def _slots(values: Iterable[str], vocab: Vocabulary) -> list[int]:
    codes: list[int] = []
    for value in values:
        code = vocab.code(value)
        if code >= 0 and code not in codes:
            codes.append(code)
            if len(codes) == SLOTS:
                break
    return codes + [-1] * (SLOTS - len(codes))


def people_table(records: Sequence[PersonRecord], extras: Sequence[str] = ()) -> Table:
    """The columns of a set of people (see `comparisons.PERSON_COMPARISONS` for their use)."""
    names, locals_, emails, domains = Vocabulary(), Vocabulary(), Vocabulary(), Vocabulary()
    phones, tails, phon, company = Vocabulary(), Vocabulary(), Vocabulary(), Vocabulary()
    street, city, postcode, birth = Vocabulary(), Vocabulary(), Vocabulary(), Vocabulary()
    extra_vocab = {key: Vocabulary() for key in extras}
    n = len(records)
    cols = {
        c: np.full(n, -1, dtype=np.int64)
        for c in ("given", "family", "phon", "company", "street", "city", "postcode", "birth")
    }
    multi = {c: np.full((n, SLOTS), -1, dtype=np.int64) for c in ("email", "phone", "tail")}
    multi["email_local"] = np.full((n, SLOTS), -1, dtype=np.int64)
    multi["domain"] = np.full((n, SLOTS), -1, dtype=np.int64)
    extra_cols = {key: np.full(n, -1, dtype=np.int64) for key in extras}
    role_codes: set[int] = set()
    ids: list[str] = []
    for row, rec in enumerate(records):
        ids.append(rec.id)
        given, family = person_name_keys(
            rec.given_name, rec.family_name, rec.full_name, rec.country
        )
        cols["given"][row] = names.code(given)
        cols["family"][row] = names.code(family)
        cols["phon"][row] = phon.code(phonetic(family))
        if rec.emails:
            parts = [_email_parts(e) for e in rec.emails]
            multi["email"][row] = _slots((p[0] for p in parts), emails)
            # a local part made of the person's name says no more than the name does
            forms = _name_forms(given, family)
            multi["email_local"][row] = _slots(
                (p[1] for p in parts if not p[3] and p[1] not in forms), locals_
            )
            multi["domain"][row] = _slots((p[2] for p in parts), domains)
            role_codes.update(emails.index.get(p[0], -1) for p in parts if p[3] and p[0])
        if rec.phones:
            keys = [phone_key(p) for p in rec.phones]
            multi["phone"][row] = _slots(keys, phones)
            multi["tail"][row] = _slots((k[-7:] for k in keys if k), tails)
        if rec.company:
            cols["company"][row] = company.code(company_name_key(rec.company))
        if rec.street:
            cols["street"][row] = street.code(street_key(rec.street))
        if rec.city:
            cols["city"][row] = city.code(place_key(rec.city))
        if rec.postal_code:
            cols["postcode"][row] = postcode.code(place_key(rec.postal_code))
        if rec.birth_date:
            cols["birth"][row] = birth.code(rec.birth_date.strip())
        for key in extras:
            value = rec.extra.get(key, "")
            if value:
                extra_cols[key][row] = extra_vocab[key].code(value.strip().casefold())
    role_codes.discard(-1)
    role = np.zeros(len(emails.texts), dtype=bool)
    if role_codes:
        role[list(role_codes)] = True
    vocab = {
        "name": names,
        "local": locals_,
        "email": emails,
        "domain": domains,
        "phone": phones,
        "tail": tails,
        "phon": phon,
        "company": company,
        "street": street,
        "city": city,
        "postcode": postcode,
        "birth": birth,
    }
    columns: dict[str, IntArray] = {**cols, **multi}
    for key in extras:
        vocab[f"x:{key}"] = extra_vocab[key]
        columns[f"x:{key}"] = extra_cols[key]
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
