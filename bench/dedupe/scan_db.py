"""The product's duplicate scan on an imported database, end to end: `tidycrm duplicates scan`
then `tidycrm duplicates export`, each timed as its own process, and the pairs checked against
the truth file.

Each run starts from the same imported database: a copy of `<dir>/base.sqlite3`, or on
PostgreSQL a database made from a template.

    # SQLite: <dir>/base.sqlite3 is a copy of the database right after `tidycrm import`
    .venv/bin/python bench/dedupe/scan_db.py --db sqlite --dir /tmp/c1m \\
        --truth bench/data/dedupe/crm-1m-truth.csv --label crm-1m
    # PostgreSQL: tidycrm_c1m_base is the imported database, tidycrm_c1m the one scanned
    .venv/bin/python bench/dedupe/scan_db.py --db postgres --dir /tmp/c1mpg \\
        --template tidycrm_c1m_base --database tidycrm_c1m --truth ... --label crm-1m

Writes bench/results/dedupe-scan-<db>-<date>-<label>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import PG_URL, RESULTS_DIR  # noqa: E402
from bench.dedupe.evaluate import evaluate, read_pairs, read_truth  # noqa: E402

TIDYCRM = ROOT / ".venv" / "bin" / "tidycrm"
SERVER = PG_URL.rsplit("/", 1)[0]


def timed(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall seconds, CPU seconds and peak memory of one command (GNU time)."""
    done = subprocess.run(
        ["/usr/bin/time", "-v", *command], env=env, capture_output=True, text=True, check=True
    )
    report = done.stderr

    def figure(label: str) -> float:
        found = re.search(rf"{re.escape(label)}: (.+)", report)
        assert found, f"/usr/bin/time printed no {label!r}"
        return float(found.group(1)) if ":" not in found.group(1) else _seconds(found.group(1))

    return {
        "wall_s": round(figure("Elapsed (wall clock) time (h:mm:ss or m:ss)"), 1),
        "cpu_s": round(figure("User time (seconds)") + figure("System time (seconds)"), 1),
        "peak_mib": round(figure("Maximum resident set size (kbytes)") / 1024),
    }


def _seconds(clock: str) -> float:
    total = 0.0
    for part in clock.strip().split(":"):
        total = total * 60 + float(part)
    return total


def fresh_database(args: argparse.Namespace) -> None:
    if args.db == "sqlite":
        shutil.copyfile(args.dir / "base.sqlite3", args.dir / "tidycrm.sqlite3")
        return
    for sql in (
        f"DROP DATABASE IF EXISTS {args.database}",
        f"CREATE DATABASE {args.database} TEMPLATE {args.template}",
    ):
        subprocess.run(["psql", f"{SERVER}/postgres", "-qc", sql], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--dir", type=Path, required=True, help="TIDYCRM_DATA_DIR")
    parser.add_argument("--template", default="", help="PostgreSQL: the imported database")
    parser.add_argument("--database", default="", help="PostgreSQL: the database scanned")
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--label", required=True)
    args = parser.parse_args()
    env = {**os.environ, "TIDYCRM_DATA_DIR": str(args.dir), "DEBUG": "0"}
    env.pop("DATABASE_URL", None)
    if args.db == "postgres":
        env["DATABASE_URL"] = f"{SERVER}/{args.database}"
    fresh_database(args)
    load = os.getloadavg()[0]
    scan = timed([str(TIDYCRM), "duplicates", "scan"], env)
    pairs = args.dir / "pairs.csv"
    export = timed([str(TIDYCRM), "duplicates", "export", str(pairs)], env)
    quality = evaluate(read_pairs(str(pairs)), read_truth(str(args.truth)))
    result = {"db": args.db, "label": args.label, "load_before": round(load, 2)}
    result |= {"scan": scan, "export": export, "quality": quality}
    print(json.dumps(result))
    stem = RESULTS_DIR / f"dedupe-scan-{args.db}-{date.today()}-{args.label}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    steps = (("tidycrm duplicates scan", scan), ("tidycrm duplicates export", export))
    stem.with_suffix(".md").write_text(
        f"# Duplicate scan from the database, {args.db}, {args.label}, {date.today()}\n\n"
        f"Load before: {result['load_before']}.\n\n"
        "| step | wall s | CPU s | peak MiB |\n|---|---:|---:|---:|\n"
        + "".join(
            f"| {name} | {r['wall_s']} | {r['cpu_s']} | {r['peak_mib']} |\n" for name, r in steps
        )
        + f"\nPairs exported against the truth: {json.dumps(quality)}\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
