"""Splink 5 on DuckDB on one prepared file, configured as its documentation advises: cleaned
columns, term-frequency adjustments on names, e-mail, phone, company and places, the prior
from deterministic rules, u from random pairs, m by EM on two blocking rules that leave each
other's fields free; clusters by connected components at the same threshold TidyCRM uses.

    bench/.venv-splink/bin/python bench/dedupe/run_splink.py PREPARED.csv PAIRS.csv [THRESHOLD]

Runs in the benchmark's own environment (bench/dedupe/setup). Prints one JSON line.
"""

from __future__ import annotations

import csv
import json
import logging
import resource
import sys
import time

import duckdb
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI


def present(con: duckdb.DuckDBPyConnection, column: str, total: int) -> bool:
    found = con.execute(f'SELECT count("{column}") FROM records').fetchall()
    return bool(found and found[0][0] >= 0.05 * total)


def settings_for(has: dict[str, bool]) -> tuple[SettingsCreator, list, list, list]:
    comparisons = [
        cl.NameComparison("given_clean").configure(term_frequency_adjustments=True),
        cl.NameComparison("family_clean").configure(term_frequency_adjustments=True),
    ]
    blocking = [block_on("given_clean", "family_clean")]
    deterministic = []
    training = []
    if has["email_clean"]:
        comparisons.append(
            cl.EmailComparison("email_clean").configure(term_frequency_adjustments=True)
        )
        blocking.append(block_on("email_clean"))
        deterministic.append(block_on("email_clean"))
        training.append(block_on("email_clean"))
    if has["phone_clean"]:
        comparisons.append(cl.ExactMatch("phone_clean").configure(term_frequency_adjustments=True))
        blocking.append(block_on("phone_clean"))
        deterministic.append(block_on("given_clean", "family_clean", "phone_clean"))
    if has["company_clean"]:
        comparisons.append(
            cl.JaroWinklerAtThresholds("company_clean", [0.9]).configure(
                term_frequency_adjustments=True
            )
        )
    if has["street_clean"]:
        comparisons.append(cl.JaroWinklerAtThresholds("street_clean", [0.9, 0.8]))
    if has["postcode_clean"]:
        comparisons.append(
            cl.DamerauLevenshteinAtThresholds("postcode_clean", [1]).configure(
                term_frequency_adjustments=True
            )
        )
        blocking.append(block_on("postcode_clean", "substr(given_clean, 1, 1)"))
    if has["city_clean"]:
        comparisons.append(cl.ExactMatch("city_clean").configure(term_frequency_adjustments=True))
    if has["birth_date"]:
        comparisons.append(cl.DamerauLevenshteinAtThresholds("birth_date", [1, 2]))
        blocking.append(block_on("birth_date"))
        # duplicates with one typo anywhere: exact on two fields, close on the third
        deterministic += [
            "l.given_clean = r.given_clean and l.family_clean = r.family_clean and "
            "damerau_levenshtein(l.birth_date, r.birth_date) <= 1",
            "l.birth_date = r.birth_date and l.given_clean = r.given_clean and "
            "jaro_winkler_similarity(l.family_clean, r.family_clean) >= 0.9",
            "l.birth_date = r.birth_date and l.family_clean = r.family_clean and "
            "jaro_winkler_similarity(l.given_clean, r.given_clean) >= 0.9",
        ]
        training.append(block_on("birth_date"))
    if has["x_soc_sec_id"]:
        comparisons.append(cl.DamerauLevenshteinAtThresholds("x_soc_sec_id", [1, 2]))
        blocking.append(block_on("x_soc_sec_id"))
        deterministic.append(block_on("x_soc_sec_id"))
        training.insert(0, block_on("x_soc_sec_id"))
    # typos in both names: same sound of the family name and the same given initial
    blocking.append(block_on("substr(family_clean, 1, 3)", "substr(given_clean, 1, 2)"))
    training.append(block_on("given_clean", "family_clean"))
    if not deterministic:
        deterministic.append(block_on("given_clean", "family_clean"))
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    return settings, deterministic, training, blocking


def main(prepared: str, out: str, threshold: float) -> None:
    logging.disable(logging.WARNING)
    began = time.perf_counter()
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE records AS SELECT * FROM read_csv('{prepared}', all_varchar=true, "
        "nullstr='', header=true)"
    ).fetchall()
    total = con.execute("SELECT count(*) FROM records").fetchall()[0][0]
    columns = [r[0] for r in con.execute("DESCRIBE records").fetchall()]
    wanted = [
        "email_clean",
        "phone_clean",
        "company_clean",
        "street_clean",
        "postcode_clean",
        "city_clean",
        "birth_date",
        "x_soc_sec_id",
    ]
    has = {c: c in columns and present(con, c, total) for c in wanted}
    db_api = DuckDBAPI(connection=con)
    frame = db_api.register("records")
    settings, deterministic, training, _ = settings_for(has)
    linker = Linker(frame, settings, log_level=None)
    loaded = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6)
    others = sum(has.values())
    for rule in training[:3]:
        # names alone leave a single field free when nothing but a birth date is known:
        # EM then needs the prior held at the deterministic estimate
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule,
            record_sample_proportion=min(1.0, 200_000 / total),
            fix_probability_two_random_records_match=others <= 1,
        )
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    rows = clusters.as_duckdbpyrelation().select("id, cluster_id").fetchall()
    done = time.perf_counter()
    groups: dict[str, list[str]] = {}
    for record_id, cluster_id in rows:
        groups.setdefault(str(cluster_id), []).append(str(record_id))
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["external_id_a", "external_id_b", "score"])
        for members in groups.values():
            for other in members[1:]:
                writer.writerow([members[0], other, ""])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "records": total,
                "load_s": round(loaded - began, 2),
                "train_s": round(trained - loaded, 2),
                "scan_s": round(done - trained, 2),
                "total_s": round(done - loaded, 2),
                "groups": sum(1 for g in groups.values() if len(g) > 1),
                "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
                "peak_rss_mb": round(usage.ru_maxrss / 1024),
                "comparisons": [c for c, ok in has.items() if ok],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0.9)
