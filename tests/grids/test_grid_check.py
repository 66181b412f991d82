"""Grid checks (blockgrid grids check): planted gaps, overlaps, orphans and balance."""

from __future__ import annotations

import dataclasses
import doctest
import math

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

from gis.crs import from_wgs84
from grids import grid_check
from grids.grid_check import check_grids
from grids.partition import BasicGrid, partition_community

CODE = "440304005036"
LON0, LAT0 = 114.03, 22.53
M_PER_DEG = 6_371_008.8 * math.pi / 180


def to_lonlat(xy_m: object) -> np.ndarray:
    xy = np.asarray(xy_m, dtype=float).reshape(-1, 2)
    scale = np.array([M_PER_DEG * math.cos(math.radians(LAT0)), M_PER_DEG])
    return xy / scale + np.array([LON0, LAT0])


def metres_polygon(coords: list[tuple[float, float]]) -> Polygon:
    return Polygon(to_lonlat(coords))


def metres_box(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return metres_polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


@pytest.fixture(scope="module")
def community() -> Polygon:
    """An L-shaped community of 1.2 km²."""
    return metres_polygon([(0, 0), (1500, 0), (1500, 600), (700, 600), (700, 1200), (0, 1200)])


@pytest.fixture(scope="module")
def buildings(community: Polygon) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    minx, miny, maxx, maxy = community.bounds
    xy = np.column_stack([rng.uniform(minx, maxx, 3000), rng.uniform(miny, maxy, 3000)])
    xy = xy[shapely.contains_xy(community, xy[:, 0], xy[:, 1])][:500]
    return xy, rng.integers(4, 20, len(xy))


@pytest.fixture()
def grids(community: Polygon, buildings: tuple[np.ndarray, np.ndarray]) -> list[BasicGrid]:
    points, households = buildings
    return partition_community(CODE, community, points, households)


def area_m2(geometry: shapely.Geometry) -> float:
    """Area on the Gauss-Krüger plane EPSG:4547, densified so edges stay straight."""
    return float(from_wgs84(shapely.segmentize(geometry, 1e-5), 4547).area)


def replace(grids: list[BasicGrid], number: int, **changes: object) -> list[BasicGrid]:
    changed = list(grids)
    changed[number] = dataclasses.replace(grids[number], **changes)  # type: ignore[arg-type]
    return changed


def test_doctests() -> None:
    result = doctest.testmod(grid_check)
    assert result.failed == 0 and result.attempted > 0


def test_a_clean_partition_passes(
    community: Polygon, buildings: tuple[np.ndarray, np.ndarray], grids: list[BasicGrid]
) -> None:
    points, households = buildings
    report = check_grids(community, grids, points)
    assert report.ok, report.summary_lines()
    assert report.community_code == CODE and report.grid_count == len(grids) > 5
    assert report.building_count == len(points)
    assert report.gap_area_m2 < 1 and report.overlap_area_m2 < 1 and report.spill_area_m2 < 1
    assert not (report.gaps or report.overlaps or report.orphan_buildings)
    assert report.numbering_follows_rule
    assert report.balance.total == households.sum()
    assert report.summary_lines()[0].endswith("OK")


def test_a_planted_gap_is_found_with_its_area_and_location(
    community: Polygon, buildings: tuple[np.ndarray, np.ndarray], grids: list[BasicGrid]
) -> None:
    points, _ = buildings
    victim = grids[3].polygon
    centre = victim.representative_point()
    hole = shapely.buffer(centre, 1e-4, quad_segs=4).intersection(victim)  # ~300 m² or so
    broken = replace(grids, 3, polygon=victim.difference(hole))
    report = check_grids(community, broken, points)
    assert not report.ok
    assert report.gap_area_m2 == pytest.approx(area_m2(hole), rel=1e-4)
    assert len(report.gaps) == 1
    assert hole.covers(Point(report.gaps[0].location))
    assert any(line.strip().startswith("gap") for line in report.summary_lines())


def test_a_planted_overlap_names_both_grids(
    community: Polygon, buildings: tuple[np.ndarray, np.ndarray], grids: list[BasicGrid]
) -> None:
    points, _ = buildings
    first = grids[0]
    neighbour = next(g for g in grids[1:] if first.polygon.intersection(g.polygon).length > 1e-4)
    grab = shapely.buffer(first.polygon, 2e-4).intersection(neighbour.polygon)
    grown = first.polygon.union(grab)
    report = check_grids(community, replace(grids, 0, polygon=grown), points)
    assert not report.ok
    assert [overlap.codes for overlap in report.overlaps] == [(first.code, neighbour.code)]
    assert report.overlaps[0].area_m2 == pytest.approx(area_m2(grab), rel=1e-3)
    assert report.overlap_area_m2 > 1000


def test_orphan_and_doubly_listed_buildings(
    community: Polygon, buildings: tuple[np.ndarray, np.ndarray], grids: list[BasicGrid]
) -> None:
    points, _ = buildings
    orphan = int(grids[1].building_indices[0])
    broken = replace(grids, 1, building_indices=grids[1].building_indices[1:])
    report = check_grids(community, broken, points)
    assert report.orphan_buildings == (orphan,)
    assert not report.ok

    doubled = int(grids[2].building_indices[0])
    extra = np.sort(np.append(grids[0].building_indices, doubled))
    report = check_grids(community, replace(grids, 0, building_indices=extra), points)
    assert report.multi_grid_buildings == (doubled,)
    assert report.misplaced_buildings == (doubled,)  # grid 01 does not contain it
    assert not report.ok


def test_a_building_in_a_gap_is_outside_every_grid(
    community: Polygon, buildings: tuple[np.ndarray, np.ndarray], grids: list[BasicGrid]
) -> None:
    points, _ = buildings
    index = int(grids[4].building_indices[0])
    hole = shapely.buffer(Point(points[index]), 5e-5)
    report = check_grids(
        community, replace(grids, 4, polygon=grids[4].polygon.difference(hole)), points
    )
    assert index in report.outside_buildings
    assert report.gaps and not report.ok


def test_spill_outside_the_community_and_non_contiguous_grids(
    community: Polygon, buildings: tuple[np.ndarray, np.ndarray], grids: list[BasicGrid]
) -> None:
    points, _ = buildings
    outside = metres_box(1000, 900, 1100, 1000)  # in the notch of the L
    split = MultiPolygon([grids[0].polygon, outside])
    report = check_grids(community, replace(grids, 0, polygon=split), points)
    assert report.non_contiguous_grids == (grids[0].code,)
    assert report.spill_area_m2 == pytest.approx(10_000, rel=0.01)
    assert not report.ok


def test_code_problems_and_numbering(
    community: Polygon, buildings: tuple[np.ndarray, np.ndarray], grids: list[BasicGrid]
) -> None:
    points, _ = buildings
    clash = replace(grids, 1, code=grids[0].code)
    report = check_grids(community, clash, points)
    assert any("used twice" in problem for problem in report.code_problems)
    foreign = replace(grids, 1, code="44030400100102")
    assert any(
        "not in community" in p for p in check_grids(community, foreign, points).code_problems
    )
    swapped = replace(replace(grids, 0, code=grids[1].code), 1, code=grids[0].code)
    report = check_grids(community, swapped, points)
    assert not report.numbering_follows_rule and report.ok


def test_household_balance_statistics(
    community: Polygon, buildings: tuple[np.ndarray, np.ndarray], grids: list[BasicGrid]
) -> None:
    points, _ = buildings
    skewed = [
        dataclasses.replace(g, households=n)
        for g, n in zip(grids, [250, 520] + [400] * 50, strict=False)
    ]
    balance = check_grids(community, skewed, points, target=(300, 500)).balance
    counts = np.array([g.households for g in skewed])
    assert (balance.minimum, balance.maximum) == (250, 520)
    assert balance.mean == pytest.approx(counts.mean())
    assert balance.std == pytest.approx(counts.std())
    assert balance.below == (grids[0].code,) and balance.above == (grids[1].code,)
