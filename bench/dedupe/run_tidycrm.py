"""TidyCRM's matching on one prepared file: train, scan, cluster; writes the pairs found.

    .venv/bin/python bench/dedupe/run_tidycrm.py PREPARED.csv PAIRS.csv

Prints one JSON line: seconds per step and peak memory (RSS) of this process.
"""

from __future__ import annotations

import csv
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.dedupe.datasets import person_records, stream_prepared
from tidycrm.matching import PersonModel, cluster, scan_people


def main(prepared: str, out: str) -> None:
    began = time.perf_counter()
    records = person_records(stream_prepared(Path(prepared)))
    loaded = time.perf_counter()
    # as the product's scan: the records' table is built once, for training and scanning
    model, table = PersonModel.train_for_scan(records)
    del records
    trained = time.perf_counter()
    matches = scan_people(table, model)
    scanned = time.perf_counter()
    groups = cluster(matches)
    clustered = time.perf_counter()
    score = {(m.a, m.b): m.probability for m in matches}
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["external_id_a", "external_id_b", "score"])
        for group in groups:
            for other in group[1:]:
                key = (group[0], other)
                writer.writerow(
                    [group[0], other, round(score.get(key, score.get(key[::-1], 0)), 4)]
                )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "records": len(table),
                "load_s": round(loaded - began, 2),
                "train_s": round(trained - loaded, 2),
                "scan_s": round(scanned - trained, 2),
                "cluster_s": round(clustered - scanned, 2),
                "total_s": round(clustered - loaded, 2),
                "matches": len(matches),
                "groups": len(groups),
                "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                "peak_rss_mb": round(usage.ru_maxrss / 1024),
                "prior": model.prior,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
