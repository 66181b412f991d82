"""WKB handled as bytes: wrapping, layouts and the exact-bytes test."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, box

from gis.wkb import (
    exact_multipolygon_wkb,
    multipolygon_layout,
    one_ring_sizes,
    reproject_multipolygon_wkb,
    ring_coordinates,
    wkb_array,
)

SQUARE = MultiPolygon([box(114.0, 22.5, 114.001, 22.501)])
HOLED = MultiPolygon([box(0, 0, 10, 10).difference(box(2, 2, 4, 4)), box(20, 0, 21, 1)])


def test_exact_wkb_only_where_the_bytes_are_the_geometry():
    unclosed = bytes.fromhex(  # one ring of 4 points whose last differs from the first
        "01060000000100000001030000000100000004000000"
        + "0000000000000000" * 2
        + "000000000000f03f0000000000000000"
        + "000000000000f03f000000000000f03f"
        + "0000000000000000000000000000f03f"
    )
    values = [
        shapely.to_wkb(SQUARE, byte_order=1),  # exact
        shapely.to_wkb(HOLED, byte_order=1),  # exact, with a hole and two parts
        shapely.to_wkb(SQUARE, byte_order=0),  # big-endian
        shapely.to_wkb(SQUARE.geoms[0], byte_order=1),  # a Polygon, not a MultiPolygon
        shapely.to_wkb(SQUARE, byte_order=1) + b"\x00",  # trailing byte
        unclosed,  # the parser closes the ring: one vertex more
        None,
    ]
    parsed = shapely.from_wkb([SQUARE.wkb, HOLED.wkb, SQUARE.wkb, SQUARE.wkb, SQUARE.wkb])
    parsed = [*parsed, shapely.from_wkb(unclosed, on_invalid="fix"), None]
    assert shapely.get_num_coordinates(parsed[5]) == 5
    exact = exact_multipolygon_wkb(wkb_array(values), parsed)
    assert exact.tolist() == [True, True, False, False, False, False, False]


def test_one_ring_values_are_found_and_reprojected_without_a_layout():
    values = wkb_array(
        [
            shapely.to_wkb(SQUARE, byte_order=1),
            shapely.to_wkb(HOLED, byte_order=1),  # two parts, a hole
            shapely.to_wkb(SQUARE, byte_order=0),  # big-endian
            shapely.to_wkb(SQUARE, byte_order=1) + b"\x00",  # trailing byte
            None,
            shapely.to_wkb(SQUARE, byte_order=1),
        ]
    )
    assert one_ring_sizes(values).tolist() == [5, -1, -1, -1, -1, 5]
    np.testing.assert_array_equal(
        ring_coordinates(values.take([0])), shapely.get_coordinates(SQUARE)
    )
    mixed = values.take([0, 1, 5])

    def shift(x, y):
        return x + 1.0, y * 2.0

    moved = reproject_multipolygon_wkb(mixed, shift)
    assert moved.equals(reproject_multipolygon_wkb(mixed, shift, multipolygon_layout(mixed)))
    assert shapely.from_wkb(moved[0].as_py()).bounds == (115.0, 45.0, 115.001, 45.002)
