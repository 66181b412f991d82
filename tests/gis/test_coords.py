"""WGS 84 / GCJ-02 / BD-09 conversions against published values, and their exact inverses."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import shapely
from shapely import GeometryCollection, LineString, MultiPolygon, Point, Polygon

from gis import coords
from gis.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    transform_geometry,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# (wgs_lon, wgs_lat, gcj_lon, gcj_lat). Source: googollee/eviltransform, python/test.py and
# go/transform_test.go (TESTS; stored there as lat, lng -- reordered lon first here).
EVILTRANSFORM_PAIRS = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
]

# Source: wandergis/coordtransform README.md ("result" block) for input (116.404, 39.915).
COORDTRANSFORM_INPUT = (116.404, 39.915)
COORDTRANSFORM_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
COORDTRANSFORM_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
COORDTRANSFORM_BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)  # closed-form inverse
COORDTRANSFORM_GCJ02_TO_WGS84 = (116.39775550083061, 39.91359571849836)  # one-step inverse

TIANANMEN_WGS84 = (116.397128, 39.916527)
EXACT = 1e-9  # degrees (~0.1 mm)
SUB_DECIMETRE = 1e-6  # degrees


@pytest.mark.parametrize(("wgs_lon", "wgs_lat", "gcj_lon", "gcj_lat"), EVILTRANSFORM_PAIRS)
def test_wgs84_to_gcj02_matches_eviltransform(
    wgs_lon: float, wgs_lat: float, gcj_lon: float, gcj_lat: float
) -> None:
    lon, lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert lon == pytest.approx(gcj_lon, abs=EXACT)
    assert lat == pytest.approx(gcj_lat, abs=EXACT)


@pytest.mark.parametrize(("wgs_lon", "wgs_lat", "gcj_lon", "gcj_lat"), EVILTRANSFORM_PAIRS)
def test_gcj02_to_wgs84_is_exact_inverse(
    wgs_lon: float, wgs_lat: float, gcj_lon: float, gcj_lat: float
) -> None:
    lon, lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert lon == pytest.approx(wgs_lon, abs=EXACT)
    assert lat == pytest.approx(wgs_lat, abs=EXACT)


def test_coordtransform_readme_values() -> None:
    assert wgs84_to_gcj02(*COORDTRANSFORM_INPUT) == pytest.approx(
        COORDTRANSFORM_WGS84_TO_GCJ02, abs=EXACT
    )
    assert gcj02_to_bd09(*COORDTRANSFORM_INPUT) == pytest.approx(
        COORDTRANSFORM_GCJ02_TO_BD09, abs=EXACT
    )
    # Our BD-09 and GCJ-02 inverses are refined past the published one-step formulas,
    # so they agree with them only to the formulas' own accuracy ...
    assert bd09_to_gcj02(*COORDTRANSFORM_INPUT) == pytest.approx(
        COORDTRANSFORM_BD09_TO_GCJ02, abs=SUB_DECIMETRE
    )
    assert gcj02_to_wgs84(*COORDTRANSFORM_INPUT) == pytest.approx(
        COORDTRANSFORM_GCJ02_TO_WGS84, abs=1e-5
    )
    # ... but, unlike them, map back exactly onto the input.
    assert gcj02_to_bd09(*bd09_to_gcj02(*COORDTRANSFORM_INPUT)) == pytest.approx(
        COORDTRANSFORM_INPUT, abs=EXACT
    )
    assert wgs84_to_gcj02(*gcj02_to_wgs84(*COORDTRANSFORM_INPUT)) == pytest.approx(
        COORDTRANSFORM_INPUT, abs=EXACT
    )
    one_step_residual = np.subtract(
        wgs84_to_gcj02(*COORDTRANSFORM_GCJ02_TO_WGS84), COORDTRANSFORM_INPUT
    )
    assert np.abs(one_step_residual).max() > 1e-7


def test_tiananmen_round_trips_through_every_system() -> None:
    gcj = wgs84_to_gcj02(*TIANANMEN_WGS84)
    bd = wgs84_to_bd09(*TIANANMEN_WGS84)
    # GCJ-02 is shifted several hundred metres east/north in Beijing; BD-09 further.
    assert 0.005 < gcj[0] - TIANANMEN_WGS84[0] < 0.008
    assert 0.001 < gcj[1] - TIANANMEN_WGS84[1] < 0.002
    assert bd == pytest.approx(gcj02_to_bd09(*gcj), abs=EXACT)
    assert gcj02_to_wgs84(*gcj) == pytest.approx(TIANANMEN_WGS84, abs=EXACT)
    assert bd09_to_wgs84(*bd) == pytest.approx(TIANANMEN_WGS84, abs=EXACT)
    assert bd09_to_gcj02(*bd) == pytest.approx(gcj, abs=EXACT)


def test_round_trips_over_china_within_sub_decimetre() -> None:
    rng = np.random.default_rng(20110101)
    lon = rng.uniform(74.0, 135.0, 20_000)
    lat = rng.uniform(4.0, 53.5, 20_000)
    for forward, backward in [
        (wgs84_to_gcj02, gcj02_to_wgs84),
        (gcj02_to_bd09, bd09_to_gcj02),
        (wgs84_to_bd09, bd09_to_wgs84),
    ]:
        back_lon, back_lat = backward(*forward(lon, lat))
        assert np.abs(back_lon - lon).max() < SUB_DECIMETRE / 100
        assert np.abs(back_lat - lat).max() < SUB_DECIMETRE / 100


def test_shenzhen_offset_is_about_half_a_kilometre() -> None:
    lon, lat = wgs84_to_gcj02(114.0579, 22.5431)  # 深圳市民中心
    east_m = (lon - 114.0579) * 111_320 * np.cos(np.radians(22.5431))
    north_m = (lat - 22.5431) * 110_574
    assert 400 < np.hypot(east_m, north_m) < 700


def test_outside_china_gcj02_equals_wgs84() -> None:
    paris = (2.3522, 48.8566)
    assert wgs84_to_gcj02(*paris) == paris
    assert gcj02_to_wgs84(*paris) == paris
    assert out_of_china([2.3522, 114.0, 73.0, 114.0], [48.8566, 22.5, 30.0, 3.0]).tolist() == [
        True,
        False,
        True,
        True,
    ]
    # BD-09's formula has no China test: it shifts everywhere, and inverts exactly.
    assert bd09_to_gcj02(*gcj02_to_bd09(*paris)) == pytest.approx(paris, abs=EXACT)


def test_scalars_return_floats_and_arrays_keep_shape() -> None:
    lon, lat = wgs84_to_gcj02(114.0, 22.5)
    assert type(lon) is float and type(lat) is float
    grid_lon, grid_lat = np.meshgrid(np.linspace(113.8, 114.6, 4), np.linspace(22.4, 22.8, 3))
    out_lon, out_lat = gcj02_to_wgs84(grid_lon, grid_lat)
    assert out_lon.shape == out_lat.shape == (3, 4)
    assert out_lon.dtype == np.float64
    expected = [
        gcj02_to_wgs84(float(x), float(y))
        for x, y in zip(grid_lon.flat, grid_lat.flat, strict=True)
    ]
    assert np.column_stack([out_lon.ravel(), out_lat.ravel()]) == pytest.approx(
        np.array(expected), abs=1e-12
    )


def test_broadcasting_lists_and_nan() -> None:
    lon, lat = wgs84_to_bd09(114.0, [22.5, 22.6, float("nan")])
    assert lon.shape == (3,)
    assert np.isnan(lon[2]) and np.isnan(lat[2])
    assert np.isfinite(lon[:2]).all()
    empty_lon, empty_lat = gcj02_to_wgs84(np.array([]), np.array([]))
    assert empty_lon.shape == empty_lat.shape == (0,)


def test_transform_geometry_handles_every_type() -> None:
    shell = [(114.0, 22.5), (114.1, 22.5), (114.1, 22.6), (114.0, 22.6), (114.0, 22.5)]
    hole = [(114.02, 22.52), (114.04, 22.52), (114.04, 22.54), (114.02, 22.52)]
    polygon = Polygon(shell, [hole])
    collection = GeometryCollection(
        [Point(114.05, 22.55), LineString(shell[:3]), MultiPolygon([polygon])]
    )
    for geometry in (polygon, collection):
        converted = transform_geometry(geometry, wgs84_to_gcj02)
        assert converted.geom_type == geometry.geom_type
        before = shapely.get_coordinates(geometry)
        after = shapely.get_coordinates(converted)
        expected_lon, expected_lat = wgs84_to_gcj02(before[:, 0], before[:, 1])
        assert after == pytest.approx(np.column_stack([expected_lon, expected_lat]), abs=1e-12)
        back = transform_geometry(converted, gcj02_to_wgs84)
        assert shapely.get_coordinates(back) == pytest.approx(before, abs=EXACT)
    assert len(transform_geometry(polygon, wgs84_to_gcj02).interiors) == 1


def test_transform_geometry_keeps_z_none_and_empty() -> None:
    point_z = transform_geometry(Point(114.0, 22.5, 37.5), wgs84_to_gcj02)
    assert point_z.has_z and point_z.z == 37.5
    assert (point_z.x, point_z.y) == pytest.approx(wgs84_to_gcj02(114.0, 22.5), abs=1e-12)
    array = np.array([Point(114.0, 22.5), None, Polygon()], dtype=object)
    converted = transform_geometry(array, wgs84_to_gcj02)
    assert converted[1] is None
    assert converted[2].is_empty
    assert converted[0].x == pytest.approx(wgs84_to_gcj02(114.0, 22.5)[0], abs=1e-12)


def test_docstring_examples() -> None:
    assert doctest.testmod(coords).failed == 0
