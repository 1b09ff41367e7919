"""Channels that bring data in: file imports (CSV, TSV, XLSX) with mapping, dry run, revert."""
