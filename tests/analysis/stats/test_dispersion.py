"""Dispersion of a term over documents, by hand (Gries 2008; Lijffijt & Gries 2012)."""

from __future__ import annotations

import numpy as np
import pytest

from framelens.analysis.stats import dispersion

# ------------------------------------------------------------------- dispersion

# Three documents of 100, 50 and 200 tokens; term 0 occurs 3, 1, 0 times, term 1 0, 2, 5.
COUNTS = np.array([[3, 0], [1, 2], [0, 5]])
SIZES = [100, 50, 200]


def test_gries_dp_by_hand():
    s = np.array([100, 50, 200]) / 350
    v0 = np.array([3, 1, 0]) / 4
    v1 = np.array([0, 2, 5]) / 7
    expected = [0.5 * np.abs(v0 - s).sum(), 0.5 * np.abs(v1 - s).sum()]
    assert expected[0] == pytest.approx(4 / 7)  # ½(|.75−2/7| + |.25−1/7| + 4/7)
    assert dispersion.gries_dp(COUNTS, SIZES) == pytest.approx(expected)
    # Lijffijt & Gries 2012: divided by 1 − min s = 1 − 50/350.
    assert dispersion.gries_dp_norm(COUNTS, SIZES) == pytest.approx(
        np.array(expected) / (1 - 50 / 350))


def test_gries_dp_extremes():
    # Proportional to the document sizes: DP = 0; all in the smallest document: DPnorm = 1.
    assert dispersion.gries_dp([[2], [4]], [10, 20]) == pytest.approx([0.0])
    assert dispersion.gries_dp_norm([[0], [7], [0]], [30, 10, 60]) == pytest.approx([1.0])
    one = dispersion.gries_dp([[3]], [10])
    assert one == pytest.approx([0.0])
    assert np.isnan(dispersion.gries_dp_norm([[3]], [10])).all()
    assert np.isnan(dispersion.gries_dp([[0], [0]], [5, 5])).all()


def test_documents_and_top_document_share():
    assert list(dispersion.documents_containing(COUNTS)) == [2, 2]
    assert dispersion.top_document_share(COUNTS) == pytest.approx([0.75, 5 / 7])
