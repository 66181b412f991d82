"""Convex footprints checked with array arithmetic: GEOS's verdicts, areas and points."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon, box

from gis.convex import check_convex_rings


def _check(polygons: list[Polygon]):
    rings = [shapely.get_coordinates(p.exterior) for p in polygons]
    return check_convex_rings(np.concatenate(rings), np.array([len(r) for r in rings]))


def _random_polygons(seed: int) -> np.ndarray:
    """Convex hulls (both orientations) and random, mostly self-crossing rings near 114°E."""
    rng = np.random.default_rng(seed)
    polygons = []
    for _ in range(3000):
        count = int(rng.integers(3, 15))
        scale = 10 ** rng.uniform(-5, -3)
        points = np.column_stack(
            [
                114 + rng.random() * 0.5 + rng.random(count) * scale,
                22.5 + rng.random() * 0.3 + rng.random(count) * scale,
            ]
        )
        hull = shapely.convex_hull(shapely.multipoints(points))
        if hull.geom_type == "Polygon":
            polygons.append(hull if rng.random() < 0.5 else shapely.reverse(hull))
    for _ in range(3000):
        count = int(rng.integers(3, 10))
        polygons.append(
            Polygon(
                np.column_stack([114 + rng.random(count) * 1e-4, 22.5 + rng.random(count) * 1e-4])
            )
        )
    return np.array(polygons, dtype=object)


def test_only_valid_convex_rings_pass_and_match_geos_to_the_last_bit():
    polygons = _random_polygons(seed=7)
    found = _check(list(polygons))
    convex = found.convex
    assert 2500 < convex.sum() < len(polygons)  # the hulls, few of the random rings
    assert shapely.is_valid(polygons[convex]).all()  # never a false "valid"
    geos_point = shapely.get_coordinates(shapely.point_on_surface(polygons[convex]))
    np.testing.assert_array_equal(found.anchor[convex], geos_point)
    np.testing.assert_array_equal(found.area[convex], shapely.area(polygons[convex]))
    np.testing.assert_array_equal(found.bounds[convex], shapely.bounds(polygons[convex]))
    assert np.isnan(found.anchor[~convex]).all()


def test_degenerate_and_self_crossing_rings_are_left_to_geos():
    x, y = 114.0, 22.5
    square = box(x, y, x + 1e-4, y + 1e-4)
    collinear = Polygon([(x, y), (x + 1e-4, y), (x + 2e-4, y), (x + 1e-4, y + 1e-4)])
    repeated = Polygon([(x, y), (x + 1e-4, y), (x + 1e-4, y), (x + 1e-4, y + 1e-4)])
    bow_tie = Polygon([(x, y), (x + 1e-4, y + 1e-4), (x + 1e-4, y), (x, y + 1e-4)])
    turn = np.arange(5) * 4 * np.pi / 5
    star = Polygon(np.column_stack([x + np.cos(turn) * 1e-3, y + np.sin(turn) * 1e-3]))
    concave = Polygon(
        [(x, y), (x + 2e-4, y), (x + 2e-4, y + 1e-4), (x + 1e-4, y + 5e-5), (x, y + 1e-4)]
    )
    found = _check([square, collinear, repeated, bow_tie, star, concave])
    assert found.convex.tolist() == [True, False, False, False, False, False]
    assert not shapely.is_valid(star) and shapely.is_valid(concave)


def test_rings_with_many_vertices_are_left_to_geos():
    circle = shapely.Point(114.0, 22.5).buffer(1e-3, quad_segs=16)  # 65 vertices
    assert _check([circle]).convex.tolist() == [False]
