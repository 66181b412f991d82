"""Numbering order of the importer's new buildings (data only, never batch order)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from api.buildings.import_grids import ROW_DEGREES, numbering_order


def test_numbering_goes_by_grid_then_north_to_south_then_west_to_east():
    north, south = 22.5400, 22.5400 - 3 * ROW_DEGREES
    anchors = np.array([[114.02, south], [114.01, north], [114.03, north], [114.00, south]])
    grid = np.array([0, 0, 0, 1])
    ids = pa.array(["a", "b", "c", "d"])
    assert numbering_order(grid, anchors, ids).tolist() == [1, 2, 0, 3]


def test_numbering_ties_go_by_source_id_whatever_the_order_of_the_file():
    anchors = np.array([[114.01, 22.54]] * 3 + [[114.00, 22.54]])
    ids = ["z-1", "a-9", "m-5", "q-0"]
    order = numbering_order(np.zeros(4, dtype=np.int64), anchors, pa.array(ids))
    assert [ids[i] for i in order] == ["q-0", "a-9", "m-5", "z-1"]
    flipped = numbering_order(np.zeros(4, dtype=np.int64), anchors[::-1], pa.array(ids[::-1]))
    assert [ids[::-1][i] for i in flipped] == ["q-0", "a-9", "m-5", "z-1"]
