"""Dedupe's writes: merges and unmerges, the review queue, the policy, scans."""
