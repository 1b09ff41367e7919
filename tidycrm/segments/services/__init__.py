"""Writes of the segments app: segment definitions and their stored membership, bulk actions,
saved views."""
