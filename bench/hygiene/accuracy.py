"""Standardisation accuracy: per field, the share of the labelled sample's values that the
hygiene functions bring to the expected standard form.

    .venv/bin/python bench/hygiene/accuracy.py [--misses 20]

Reads bench/hygiene/sample.jsonl (built by sample.py), prints the table and writes
bench/results/hygiene-accuracy.json and .md, with the values that missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.hygiene.sample import SAMPLE  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def _name(row: dict[str, Any]) -> Any:
    from tidycrm.hygiene.names import split_name

    parts = split_name(row["input"], country=row.get("country", ""))
    if parts.middle:  # a middle name the sample does not have is a wrong split
        return {"middle": parts.middle}
    return {
        "honorific": parts.honorific,
        "given": parts.given,
        "family": parts.family,
        "suffix": parts.suffix,
    }


def _name_columns(row: dict[str, Any]) -> Any:
    from tidycrm.hygiene.names import NameParts, case_parts
    from tidycrm.hygiene.text import clean

    given, family = (clean(x) for x in row["input"])
    parts = case_parts(NameParts(given=given, family=family), country=row.get("country", ""))
    return {"given": parts.given, "family": parts.family}


def _email(row: dict[str, Any]) -> Any:
    from tidycrm.hygiene.emails import standardise_email

    return standardise_email(row["input"], check_deliverability=False).value


def _phone(row: dict[str, Any]) -> Any:
    from tidycrm.hygiene.phones import standardise_phone

    result = standardise_phone(row["input"], row["region"], display=False)
    return None if result.value is None else [result.value, result.extras["extension"]]


def _country(row: dict[str, Any]) -> Any:
    from tidycrm.hygiene.countries import standardise_country

    return standardise_country(row["input"]).value


def _street(row: dict[str, Any]) -> Any:
    from tidycrm.hygiene.addresses import standardise_street

    return standardise_street(row["input"], row["country"])


def _postal_code(row: dict[str, Any]) -> Any:
    from tidycrm.hygiene.addresses import standardise_postal_code

    code, problem = standardise_postal_code(row["input"], row["country"])
    return None if problem else code


def _city(row: dict[str, Any]) -> Any:
    from tidycrm.hygiene.addresses import standardise_city

    return standardise_city(row["input"], row["country"])


def _company_key(row: dict[str, Any]) -> Any:
    from tidycrm.hygiene.companies import company_name_key

    return company_name_key(row["input"])


CHECKS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "name": _name,
    "name_columns": _name_columns,
    "email": _email,
    "phone": _phone,
    "country": _country,
    "street": _street,
    "postal_code": _postal_code,
    "city": _city,
    "company_key": _company_key,
}
LABELS = {
    "name": "full name split and cased (honorific, given, family, suffix)",
    "name_columns": "name columns typed in one case, cased",
    "email": "e-mail address (valid ones normalised, invalid ones refused)",
    "phone": "phone to E.164 and extension (garbage refused)",
    "country": "country to ISO 3166-1 alpha-2 (non-countries refused)",
    "street": "street with the country's street-type abbreviations (US, GB, DE, TR)",
    "postal_code": "postal code in the country's format (wrong ones flagged)",
    "city": "city cased",
    "company_key": "company name key (legal form removed)",
}


def table_lines(table: dict[str, dict[str, Any]]) -> list[str]:
    total = sum(e["values"] for e in table.values())
    right = sum(e["right"] for e in table.values())
    lines = ["| field | values | right form | share |", "|---|---:|---:|---:|"]
    for name, entry in table.items():
        lines.append(
            f"| {LABELS[name]} | {entry['values']} | {entry['right']} | "
            f"{100 * entry['share']:.1f}% |"
        )
    return [*lines, f"| **all** | {total} | {right} | {100 * right / total:.1f}% |", ""]


def measure(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    import email_validator

    email_validator.TEST_ENVIRONMENT = False
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = table.setdefault(row["field"], {"values": 0, "right": 0, "misses": []})
        got = CHECKS[row["field"]](row)
        entry["values"] += 1
        if got == row["expected"]:
            entry["right"] += 1
        else:
            entry["misses"].append({**row, "got": got})
    for entry in table.values():
        entry["share"] = round(entry["right"] / entry["values"], 4)
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", type=int, default=25, help="misses listed per field")
    parser.add_argument("--label", default="", help="results file suffix (e.g. before)")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    table = measure([r for r in rows if r.get("set") != "held-out"])
    held = measure([r for r in rows if r.get("set") == "held-out"])
    lines = [
        "# Standardisation accuracy",
        "",
        f"Labelled sample: `bench/hygiene/sample.jsonl` ({len(rows):,} values; "
        "`bench/hygiene/sample.py` says how it is built). Command: "
        "`.venv/bin/python bench/hygiene/accuracy.py`.",
        "",
        "## Sample the functions were corrected against",
        "",
        *table_lines(table),
        "## Held-out sample (written afterwards, never used to correct)",
        "",
        *table_lines(held),
    ]
    print("\n".join(lines))
    for name, entry in [*table.items(), *((f"{n} (held out)", e) for n, e in held.items())]:
        if not entry["misses"]:
            continue
        lines += [f"## Misses: {name} ({len(entry['misses'])})", ""]
        for miss in entry["misses"][: args.misses]:
            where = miss.get("country") or miss.get("region") or ""
            lines.append(
                f"- `{json.dumps(miss['input'], ensure_ascii=False)}` {where}: expected "
                f"`{json.dumps(miss['expected'], ensure_ascii=False)}`, got "
                f"`{json.dumps(miss['got'], ensure_ascii=False)}`"
            )
        lines.append("")
    RESULTS.mkdir(exist_ok=True)
    stem = "hygiene-accuracy" + (f"-{args.label}" if args.label else "")
    (RESULTS / f"{stem}.md").write_text("\n".join(lines))
    (RESULTS / f"{stem}.json").write_text(
        json.dumps({"tuning": table, "held_out": held}, ensure_ascii=False, indent=1) + "\n"
    )


if __name__ == "__main__":
    main()
