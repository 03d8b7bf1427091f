"""Merging a change into a sorted n-gram count table equals adding the counts by key."""

from __future__ import annotations

import numpy as np
import pytest

from framelens.analysis.counts.collocations import _merge_table


def as_dict(table: np.ndarray) -> dict[tuple[int, ...], int]:
    return {tuple(row[:-1]): row[-1] for row in table.tolist()}


def random_table(rng: np.random.Generator, rows: int, width: int, size: int) -> np.ndarray:
    ids = np.unique(rng.integers(0, size, size=(rows, width)), axis=0)  # sorted, distinct
    return np.column_stack((ids, rng.integers(1, 5, size=len(ids)))).astype(np.int64)


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("width", [2, 3])
def test_merge_table_adds_counts_by_key(seed, width):
    """Changes that raise, lower, empty, or add rows (at the start, the end, between and
    next to each other) give the table of the summed counts, sorted, without empty rows;
    a change that takes a count below zero gives None."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(3, 12))
    table = random_table(rng, int(rng.integers(0, 40)), width, size)
    before = as_dict(table)
    keys = sorted({tuple(k) for k in rng.integers(0, size, size=(int(rng.integers(1, 15)),
                                                                 width)).tolist()})
    rng.shuffle(keys)
    change = []
    for key in keys:
        if key in before and rng.random() < 0.4:
            change.append((*key, -before[key]))  # empties the row
        elif key in before and rng.random() < 0.5:
            change.append((*key, -int(rng.integers(0, before[key]))
                           if before[key] > 1 else 1))
        else:
            change.append((*key, int(rng.integers(1, 4))))
    change = np.array([c for c in change if c[-1] != 0], dtype=np.int64).reshape(-1, width + 1)
    expected = dict(before)
    for row in change.tolist():
        expected[tuple(row[:-1])] = expected.get(tuple(row[:-1]), 0) + row[-1]
    expected = {k: v for k, v in expected.items() if v}
    copy = table.copy()
    merged = _merge_table(table, change, size)
    assert np.array_equal(table, copy)  # the input is not changed
    assert as_dict(merged) == expected
    assert [tuple(r) for r in merged[:, :-1].tolist()] == sorted(expected)
    assert (merged[:, -1] > 0).all()
    if len(table):
        key = tuple(table[0, :-1].tolist())
        too_much = np.array([(*key, -int(table[0, -1]) - 1)], dtype=np.int64)
        assert _merge_table(table, too_much, size) is None
    absent = next((k for k in ((i,) * width for i in range(size)) if k not in before), None)
    if absent is not None:
        assert _merge_table(table, np.array([(*absent, -1)], dtype=np.int64), size) is None
