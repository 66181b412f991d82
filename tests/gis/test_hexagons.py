"""H3 hexagons (gis.hexagons): point aggregation, study areas, polygons and k-ring weights."""

from __future__ import annotations

from collections import Counter

import h3
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from gis.hexagons import (
    cell_polygons,
    cells_in_polygon,
    count_points_in_cells,
    count_points_per_cell,
    hexagon_weights,
    neighbour_cells,
    points_to_cells,
)
from gis.hotspots import gi_star

FUTIAN = (114.0, 22.5, 114.1, 22.58)  # lon/lat box around 福田


def random_points(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    west, south, east, north = FUTIAN
    return rng.uniform(west, east, n), rng.uniform(south, north, n)


@pytest.mark.parametrize("resolution", [7, 8, 9, 10])
def test_aggregation_matches_slow_reference(resolution: int) -> None:
    lon, lat = random_points(5000, seed=resolution)
    reference = Counter(
        h3.str_to_int(h3.latlng_to_cell(y, x, resolution)) for x, y in zip(lon, lat, strict=True)
    )
    cells, counts = count_points_per_cell(lon, lat, resolution)
    assert dict(zip(cells.tolist(), counts.tolist(), strict=True)) == reference
    assert (np.diff(cells.astype(np.float64)) > 0).all() and counts.sum() == 5000
    assert cells.dtype == np.uint64


def test_points_to_cells_refuses_invalid_coordinates() -> None:
    with pytest.raises(ValueError, match="not valid lon/lat"):
        points_to_cells([114.0, np.nan], [22.5, 22.5], 9)
    with pytest.raises(ValueError, match="not valid lon/lat"):
        points_to_cells([22.5], [114.0], 9)  # swapped: latitude 114°
    with pytest.raises(ValueError, match="resolution"):
        points_to_cells([114.0], [22.5], 16)
    assert points_to_cells([], [], 9).size == 0


def test_study_area_counts_include_empty_cells() -> None:
    area = cells_in_polygon(box(*FUTIAN), 8)
    lon, lat = random_points(2000)
    point_cells = points_to_cells(np.r_[lon, 120.0], np.r_[lat, 30.0], 8)  # one point far away
    counts = count_points_in_cells(point_cells, area)
    assert counts.shape == area.shape and counts.sum() <= 2000
    assert counts.sum() >= 1900  # only points in edge cells whose centre is outside are lost
    centres = shapely.points([h3.cell_to_latlng(h3.int_to_str(int(cell)))[::-1] for cell in area])
    assert shapely.contains(box(*FUTIAN), centres).all()


def test_cell_polygons_are_lonlat_hexagons_around_their_centre() -> None:
    cells = cells_in_polygon(box(*FUTIAN), 9)[:50]
    polygons = cell_polygons(cells)
    assert len(polygons) == 50 and all(polygon.is_valid for polygon in polygons)
    for cell, polygon in zip(cells, polygons, strict=True):
        lat, lon = h3.cell_to_latlng(h3.int_to_str(int(cell)))
        assert polygon.contains(Point(lon, lat))
        assert len(polygon.exterior.coords) == 7
    assert cell_polygons(np.empty(0, dtype=np.uint64)).size == 0


def test_k_ring_weights_are_symmetric_and_match_grid_disk() -> None:
    area = cells_in_polygon(box(*FUTIAN), 9)
    weights = hexagon_weights(area)
    assert (weights != weights.T).nnz == 0 and weights.diagonal().sum() == 0
    position = {int(cell): i for i, cell in enumerate(area)}
    centre = int(points_to_cells([114.05], [22.54], 9)[0])
    expected = {h3.str_to_int(cell) for cell in h3.grid_disk(h3.int_to_str(centre), 1)} - {centre}
    found = {int(area[j]) for j in weights[[position[centre]]].indices}
    assert found == expected == set(neighbour_cells(centre).tolist())
    degree = np.diff(weights.indptr)
    assert degree.max() == 6 and np.median(degree) == 6 and degree.min() >= 2
    ring2 = hexagon_weights(area, k=2)
    assert np.diff(ring2.indptr)[position[centre]] == 18


def test_hexagon_weights_reject_bad_cells() -> None:
    cell = int(points_to_cells([114.05], [22.54], 9)[0])
    with pytest.raises(ValueError, match="unique"):
        hexagon_weights([cell, cell])
    with pytest.raises(ValueError, match="resolution"):
        hexagon_weights([cell, h3.str_to_int(h3.cell_to_parent(h3.int_to_str(cell), 8))])


def test_hexagon_hot_spot_end_to_end() -> None:
    rng = np.random.default_rng(4)
    lon, lat = random_points(20_000, seed=4)
    hot_lon = rng.normal(114.05, 0.003, 3000)
    hot_lat = rng.normal(22.54, 0.003, 3000)
    area = cells_in_polygon(box(*FUTIAN), 9)
    counts = count_points_in_cells(
        points_to_cells(np.r_[lon, hot_lon], np.r_[lat, hot_lat], 9), area
    )
    result = gi_star(counts, hexagon_weights(area), permutations=0)
    centre = int(np.flatnonzero(area == points_to_cells([114.05], [22.54], 9)[0])[0])
    assert result.bins[centre] == 3
    assert result.hot(0.99).sum() < 0.05 * area.size
