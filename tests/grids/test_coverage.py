"""check_tiling: gaps, overlaps, overhang and fragmented children, in square metres."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from grids.coverage import check_tiling

PARENT = box(0, 0, 100, 100)  # metres on EPSG:4547


def test_exact_tiling_is_ok() -> None:
    children = {"w": box(0, 0, 50, 100), "e": box(50, 0, 100, 100)}
    report = check_tiling(PARENT, children, crs=4547)
    assert report.ok
    assert report.parent_area_m2 == pytest.approx(10_000)
    assert (report.gap_area_m2, report.overlap_area_m2, report.outside_area_m2) == (0, 0, 0)


def test_gap_overlap_and_overhang_are_measured() -> None:
    children = {"w": box(0, 0, 60, 100), "e": box(50, 0, 90, 110), "x": box(95, 0, 100, 10)}
    report = check_tiling(PARENT, children, crs=4547)
    assert not report.ok
    assert report.gap_area_m2 == pytest.approx(10 * 100 - 5 * 10)
    assert report.overlap_area_m2 == pytest.approx(1000)
    assert report.outside_area_m2 == pytest.approx(400)
    assert report.overlapping == (("w", "e"),)


def test_a_child_inside_another_counts_as_overlap() -> None:
    children = {"all": PARENT, "inner": box(10, 10, 20, 20)}
    report = check_tiling(PARENT, children, crs=4547)
    assert report.overlapping == (("all", "inner"),)
    assert report.overlap_area_m2 == pytest.approx(100)


def test_tolerance_absolute_or_relative() -> None:
    children = {"w": box(0, 0, 50, 100), "e": box(50.005, 0, 100, 100)}  # 0.5 m² gap
    assert check_tiling(PARENT, children, crs=4547).ok
    assert not check_tiling(PARENT, children, crs=4547, tolerance_m2=0.1).ok
    big = check_tiling(PARENT, children, crs=4547, tolerance_m2=0.1, relative_tolerance=1e-4)
    assert big.tolerance_m2 == pytest.approx(1.0) and big.ok


def test_non_contiguous_children_are_named() -> None:
    split = MultiPolygon([box(0, 0, 50, 50), box(50, 50, 100, 100)])
    children = {"split": split, "rest": PARENT.difference(split)}
    report = check_tiling(PARENT, children, crs=4547)
    assert set(report.non_contiguous) == {"split", "rest"}
    assert not report.ok


def test_islands_of_the_parent_are_allowed() -> None:
    island = box(200, 0, 210, 10)
    parent = MultiPolygon([PARENT, island])
    children = {"w": MultiPolygon([box(0, 0, 50, 100), island]), "e": box(50, 0, 100, 100)}
    assert check_tiling(parent, children, crs=4547).ok
    strict = check_tiling(parent, children, crs=4547, allow_islands=False)
    assert strict.non_contiguous == ("w",)


def test_invalid_and_empty_children_are_named() -> None:
    bowtie = Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])
    children = {"bad": bowtie, "empty": Polygon(), "line": shapely.LineString([(0, 0), (1, 1)])}
    report = check_tiling(PARENT, children, crs=4547)
    assert report.invalid == ("bad", "empty", "line")
    assert report.gap_area_m2 == pytest.approx(10_000)


def test_lonlat_input_is_measured_in_square_metres() -> None:
    parent = box(114.0, 22.5, 114.01, 22.51)  # about 1.03 km x 1.11 km
    children = {1: box(114.0, 22.5, 114.005, 22.51), 2: box(114.005, 22.5, 114.01, 22.51)}
    report = check_tiling(parent, children)
    assert report.ok
    assert report.parent_area_m2 == pytest.approx(1_140_000, rel=0.01)
    gappy = check_tiling(parent, {1: children[1]})
    assert gappy.gap_area_m2 == pytest.approx(570_000, rel=0.01)
