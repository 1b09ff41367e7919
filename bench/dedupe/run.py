"""The dedupe benchmark: TidyCRM's matching and Splink side by side on the same data.

    .venv/bin/python bench/dedupe/run.py [--sets febrl3,febrl4,rldata10000,crm-20k,crm-1m]
                                         [--no-splink-1m]

For every set: the prepared file (built once, in bench/data/dedupe/), then each engine in its
own process (time, CPU time and peak memory of that process), then pairwise precision, recall
and F1 after transitive closure (evaluate.py). Writes bench/results/dedupe-<date>.json and .md.
Run it through `bench/dedupe/run`, which holds the shared benchmark lock.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import fixed_hash_seed  # noqa: E402
from bench.dedupe import datasets  # noqa: E402
from bench.dedupe.evaluate import evaluate, read_pairs, read_truth  # noqa: E402

DATA = ROOT / "bench" / "data" / "dedupe"
RESULTS = ROOT / "bench" / "results"
PROJECT_PY = ROOT / ".venv" / "bin" / "python"
SPLINK_PY = ROOT / "bench" / ".venv-splink" / "bin" / "python"
CRM_PEOPLE = {"crm-20k": 20_000, "crm-1m": 565_000}  # about 1.77 records per person


def prepared(name: str) -> Path:
    path = DATA / f"{name}.prepared.csv"
    if path.exists():
        return path
    if name.startswith("crm-"):
        raw = DATA / f"{name}.csv"
        if not raw.exists():
            subprocess.run(
                [str(PROJECT_PY), str(ROOT / "bench/dedupe/generate_crm.py"), "--people",
                 str(CRM_PEOPLE[name]), "--out", str(DATA / name)],
                check=True,
            )  # fmt: skip
        rows = datasets.crm(str(raw))
    else:
        rows = getattr(datasets, name.replace("-", ""))()
    datasets.write_prepared(rows, path)
    with open(DATA / f"{name}.truth.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["external_id", "entity_id"])
        writer.writerows((r["id"], r["entity"]) for r in rows)
    return path


def run_engine(python: Path, script: str, data: Path, pairs: Path) -> dict[str, object]:
    load = os.getloadavg()[0]  # other work on the machine slows the wall times
    done = subprocess.run(
        [str(python), str(ROOT / "bench/dedupe" / script), str(data), str(pairs)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    figures: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["load_before"] = round(load, 2)
    return figures


def markdown(results: dict[str, dict[str, dict[str, object]]], meta: dict[str, str]) -> str:
    lines = [
        f"# Dedupe benchmark, {meta['date']}",
        "",
        f"Machine: {meta['machine']}. Threshold: probability 0.9 for both engines. "
        "Pairwise figures after transitive closure; time and memory are of the engine's own "
        "process (train + scan + cluster; CPU time in brackets); load is the 1-minute load "
        "average when the engine started.",
        "",
        "| set | records | engine | precision | recall | F1 | train s | scan s | total s (CPU) "
        "| peak RSS MB | load |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, engines in results.items():
        for engine, r in engines.items():
            if "error" in r:
                lines.append(f"| {name} | | {engine} | error: {r['error']} | | | | | | | |")
                continue
            lines.append(
                f"| {name} | {r.get('records', '')} | {engine} | {r.get('precision', '')} "
                f"| {r.get('recall', '')} | {r.get('f1', '')} | {r.get('train_s', '')} "
                f"| {r.get('scan_s', '')} | {r.get('total_s', '')} ({r.get('cpu_s', '')}) "
                f"| {r.get('peak_rss_mb', '')} | {r.get('load_before', '')} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    fixed_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", default="febrl3,febrl4,rldata10000,crm-20k,crm-1m")
    parser.add_argument("--no-splink-1m", action="store_true")
    parser.add_argument("--tag", default="")
    args = parser.parse_args()
    if not SPLINK_PY.exists():
        subprocess.run([str(ROOT / "bench/dedupe/setup")], check=True)
    results: dict[str, dict[str, dict[str, object]]] = {}
    for name in args.sets.split(","):
        data = prepared(name)
        truth = read_truth(str(DATA / f"{name}.truth.csv"))
        results[name] = {}
        engines = [
            ("tidycrm", PROJECT_PY, "run_tidycrm.py"),
            ("splink", SPLINK_PY, "run_splink.py"),
        ]
        for engine, python, script in engines:
            if engine == "splink" and name == "crm-1m" and args.no_splink_1m:
                continue
            pairs = DATA / f"{name}.{engine}-pairs.csv"
            figures = run_engine(python, script, data, pairs)
            if "error" not in figures:
                figures |= evaluate(read_pairs(str(pairs)), truth)
            results[name][engine] = figures
            print(name, engine, json.dumps(figures), flush=True)
    meta = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"dedupe-{meta['date']}{'-' + args.tag if args.tag else ''}"
    stem.with_suffix(".json").write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    stem.with_suffix(".md").write_text(markdown(results, meta))
    print(f"wrote {stem}.json and .md")


if __name__ == "__main__":
    main()
