"""Reading order and code order of the importer, against NumPy's lexsort."""

from __future__ import annotations

import numpy as np
import pytest

from api.buildings.import_grids import ROW_DEGREES, reading_rank, sort_by


@pytest.mark.parametrize("span", [3, 2_000, 10**9], ids=["few", "rows", "wide"])
def test_sort_by_is_lexsort_ties_included(span):
    rng = np.random.default_rng(span)
    primary = rng.integers(-span, span, 5_000)
    secondary = np.round(rng.uniform(113.8, 114.6, 5_000), 2)  # many ties
    assert sort_by(primary, secondary).tolist() == np.lexsort((secondary, primary)).tolist()


def test_reading_rank_goes_north_to_south_then_west_to_east():
    north, south = 22.5400, 22.5400 - 3 * ROW_DEGREES
    anchors = np.array([[114.02, south], [114.01, north], [114.03, north], [114.00, south]])
    assert reading_rank(anchors).tolist() == [3, 0, 1, 2]
