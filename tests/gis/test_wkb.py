"""WKB handled as bytes: wrapping, layouts and the exact-bytes test."""

from __future__ import annotations

import shapely
from shapely.geometry import MultiPolygon, box

from gis.wkb import exact_multipolygon_wkb, wkb_array

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
