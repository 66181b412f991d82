"""Weighted polygon splitting and coverage repairs (gis.tessellate, gis.topology)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from gis.tessellate import split_polygon
from gis.topology import conform_coverage, merge_fragments, polygonal

U_SHAPE = Polygon([(0, 0), (3000, 0), (3000, 3000), (2000, 3000), (2000, 1000), (1000, 1000),
                   (1000, 3000), (0, 3000)])  # fmt: skip


def assert_tiles(parent: shapely.Geometry, pieces: list[shapely.Geometry]) -> None:
    union = shapely.union_all(pieces)
    assert shapely.symmetric_difference(union, parent).area < 1e-6 * parent.area
    assert sum(piece.area for piece in pieces) == pytest.approx(parent.area, rel=1e-9)


@pytest.mark.parametrize("polygon", [box(0, 0, 4000, 1000), U_SHAPE], ids=["strip", "u"])
def test_pieces_follow_weights_and_tile(polygon: Polygon) -> None:
    weights = np.random.default_rng(3).lognormal(0.0, 0.5, 23)
    pieces = split_polygon(polygon, weights, seed=7)
    assert len(pieces) == len(weights)
    assert all(isinstance(piece, Polygon) and piece.is_valid for piece in pieces)
    assert_tiles(polygon, pieces)
    shares = np.array([piece.area for piece in pieces]) / polygon.area
    np.testing.assert_allclose(shares, weights / weights.sum(), rtol=0.05)


def test_pieces_share_edges_after_conforming() -> None:
    pieces = conform_coverage(split_polygon(U_SHAPE, [1.0] * 12, seed=1), grid_size=1e-3)
    assert shapely.coverage_is_valid(pieces)
    assert_tiles(U_SHAPE, pieces)


def test_same_seed_same_pieces_other_seed_other_pieces() -> None:
    weights = [1.0, 2.0, 3.0, 1.5, 1.0, 0.5]
    first = split_polygon(U_SHAPE, weights, seed=11)
    again = split_polygon(U_SHAPE, weights, seed=11)
    other = split_polygon(U_SHAPE, weights, seed=12)
    assert [p.wkb for p in first] == [p.wkb for p in again]
    assert [p.wkb for p in first] != [p.wkb for p in other]


def test_anchors_place_pieces() -> None:
    square = box(0, 0, 1000, 1000)
    anchors = [(900.0, 900.0), (100.0, 100.0), (900.0, 100.0), (100.0, 900.0)]
    pieces = split_polygon(square, [1, 1, 1, 1], seed=0, anchors=anchors)
    for piece, anchor in zip(pieces, anchors, strict=True):
        assert piece.contains(shapely.Point(anchor))


def test_multipolygon_parts_and_islands() -> None:
    west, east, island = box(0, 0, 1000, 1000), box(2000, 0, 3000, 1000), box(5000, 0, 5050, 50)
    region = MultiPolygon([west, east, island])
    anchors = [(100.0, 500.0), (2900.0, 500.0), (900.0, 500.0), (2100.0, 500.0)]
    pieces = split_polygon(region, [1, 1, 1, 1], seed=0, anchors=anchors)
    assert_tiles(region, pieces)
    assert pieces[0].within(west) and pieces[2].within(west)
    carriers = [i for i, piece in enumerate(pieces) if piece.intersects(island)]
    assert carriers == [1]  # the island joins the nearest piece
    assert isinstance(pieces[1], MultiPolygon) and len(shapely.get_parts(pieces[1])) == 2


def test_single_weight_returns_the_polygon() -> None:
    assert split_polygon(U_SHAPE, [5.0])[0].equals(U_SHAPE)


@pytest.mark.parametrize(
    ("polygon", "weights", "anchors", "message"),
    [
        (Polygon(), [1.0], None, "non-empty"),
        (Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]), [1.0], None, "valid"),
        (box(0, 0, 1, 1), [], None, "weights"),
        (box(0, 0, 1, 1), [1.0, 0.0], None, "positive"),
        (box(0, 0, 1, 1), [1.0, 2.0], [(0.5, 0.5)], "anchors"),
    ],
)
def test_bad_input_is_refused(
    polygon: Polygon, weights: list[float], anchors: list[tuple[float, float]] | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        split_polygon(polygon, weights, anchors=anchors)


def test_merge_fragments_hands_stray_parts_to_the_longest_border() -> None:
    a = MultiPolygon([box(0, 0, 0.5, 1), box(2, 0, 2.2, 1)])
    b, c = box(0.5, 0, 2, 1), box(2.2, 0, 3, 0.3)
    fixed = merge_fragments([a, b, c])
    assert isinstance(fixed[0], Polygon) and fixed[0].area == pytest.approx(0.5)
    assert fixed[1].area == pytest.approx(1.5 + 0.2)  # longest border with b (1.0 vs 0.3)
    assert isinstance(fixed[1], Polygon) and fixed[2].equals(c)


def test_polygonal_keeps_only_areas() -> None:
    mixed = shapely.GeometryCollection([box(0, 0, 1, 1), shapely.LineString([(2, 2), (3, 3)])])
    assert polygonal(mixed).equals(box(0, 0, 1, 1))
    assert polygonal(shapely.LineString([(0, 0), (1, 1)])).is_empty


def test_conform_coverage_inserts_t_junction_vertices() -> None:
    left = box(0, 0, 1, 2)
    right = Polygon([(1, 0), (2, 0), (2, 2), (1, 2), (1, 1.0000000001)])
    assert not shapely.coverage_is_valid([left, right])
    fixed = conform_coverage([left, right])
    assert shapely.coverage_is_valid(fixed)
