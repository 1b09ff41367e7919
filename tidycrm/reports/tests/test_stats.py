"""The statistics of values given with their counts equal those of the values listed."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from tidycrm.reports.stats import counted_median, counted_percentile, median, percentile

days = st.lists(st.integers(min_value=0, max_value=400), max_size=300)


@given(days, st.sampled_from([0.1, 0.5, 0.9, 1.0]))
def test_counted_figures_equal_the_listed_ones(values, share):
    counts = Counter(values)
    assert counted_median(counts) == median(values)
    assert counted_percentile(counts, share) == percentile(values, share)
