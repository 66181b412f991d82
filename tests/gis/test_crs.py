"""CRS recognition, China-extent / swapped-axis checks and conversion to WGS 84."""

from __future__ import annotations

import doctest
from typing import Literal

import geopandas
import numpy as np
import pyproj
import pytest
import shapely
from shapely import MultiPolygon, Point, Polygon

from gis import crs as crs_module
from gis.coords import wgs84_to_bd09, wgs84_to_gcj02
from gis.crs import (
    BD09,
    GCJ02,
    SUPPORTED_SRIDS,
    CoordinateError,
    CrsError,
    check_bbox_in_china,
    check_lonlat_in_china,
    from_wgs84,
    gauss_kruger_srid,
    resolve_crs,
    srid_of,
    to_wgs84,
)

SHENZHEN_CIVIC_CENTRE = (114.0579, 22.5431)  # 深圳市民中心, WGS 84
SWAPPED_MESSAGE = (
    "coordinates look swapped: x in [22.4, 22.8] and y in [113.7, 114.6]; "
    "expected longitude first (x≈73–136, y≈3–54 for China)"
)


@pytest.mark.parametrize("srid", sorted(SUPPORTED_SRIDS))
def test_supported_srid_labels_match_the_epsg_registry(srid: int) -> None:
    assert pyproj.CRS.from_epsg(srid).name == SUPPORTED_SRIDS[srid]


@pytest.mark.parametrize(
    ("given", "srid"),
    [
        ("EPSG:4547", 4547),
        ("epsg:4326", 4326),
        (4490, 4490),
        ("WGS84", 4326),
        ("CGCS2000", 4490),
        ("OGC:CRS84", 4326),
        ("+proj=longlat +datum=WGS84 +no_defs", 4326),
        (pyproj.CRS.from_epsg(3857), 3857),
        (pyproj.CRS.from_epsg(4547).to_wkt(), 4547),
        (pyproj.CRS.from_epsg(4498).to_wkt(version="WKT1_GDAL"), 4498),  # declared id
        (pyproj.CRS.from_epsg(4547).to_wkt(version="WKT1_ESRI"), 4547),  # a .prj file
    ],
)
def test_srid_of_recognises_supported_crs(given: str | int | pyproj.CRS, srid: int) -> None:
    assert srid_of(given) == srid


def test_resolve_crs_describes_the_crs() -> None:
    resolved = resolve_crs("EPSG:4547")
    assert (resolved.name, resolved.srid, resolved.geographic) == ("EPSG:4547", 4547, False)
    assert resolve_crs(4490).geographic


@pytest.mark.parametrize(
    ("alias", "name"),
    [("gcj02", GCJ02), ("GCJ-02", GCJ02), ("gcj_02", GCJ02), ("BD-09", BD09), ("bd09ll", BD09)],
)
def test_pseudo_crs_names(alias: str, name: str) -> None:
    resolved = resolve_crs(alias)
    assert resolved.name == name
    assert resolved.srid is None and resolved.geographic
    with pytest.raises(CrsError, match="not an EPSG CRS and has no SRID"):
        srid_of(alias)


def test_unsupported_and_unparseable_crs_are_refused() -> None:
    with pytest.raises(CrsError, match=r"unsupported CRS EPSG:32631 \(WGS 84 / UTM zone 31N\)"):
        srid_of("EPSG:32631")
    with pytest.raises(CrsError, match="cannot parse CRS 'not a crs'"):
        resolve_crs("not a crs")
    with pytest.raises(CrsError, match="cannot interpret"):
        resolve_crs(4.5)  # type: ignore[arg-type]


def test_gauss_kruger_srid_for_shenzhen() -> None:
    assert gauss_kruger_srid(114.05) == 4547
    assert gauss_kruger_srid(114.05, zone_prefix=True) == 4526
    assert gauss_kruger_srid(114.05, zone_width=6) == 4509
    assert gauss_kruger_srid(114.05, zone_width=6, zone_prefix=True) == 4498


GAUSS_KRUGER_LONGITUDES = np.arange(74.0, 135.0, 0.7).round(1).tolist()  # all of China


def gauss_kruger_zone_problem(lon: float, *, width: Literal[3, 6], prefix: bool) -> str | None:
    """What is wrong with the zone chosen for ``lon``, or None when it holds the longitude."""
    try:
        srid = gauss_kruger_srid(lon, zone_width=width, zone_prefix=prefix)
    except CrsError as error:
        return f"lon={lon}: {error}"
    label = SUPPORTED_SRIDS[srid]
    operation = pyproj.CRS.from_epsg(srid).coordinate_operation
    if operation is None:
        return f"lon={lon}: EPSG:{srid} ({label}) has no projection"
    central = next(float(p.value) for p in operation.params if p.name.startswith("Longitude"))
    problems = []
    if abs(lon - central) > width / 2:
        problems.append(f"central meridian {central} is more than {width / 2}° away")
    if ("zone" in label) is not prefix:
        problems.append("zone prefix " + ("missing" if prefix else "unexpected"))
    if ("3-degree" in label) is not (width == 3):
        problems.append(f"not a {width}-degree zone")
    return f"lon={lon}: EPSG:{srid} ({label}): {'; '.join(problems)}" if problems else None


@pytest.mark.parametrize("prefix", [False, True])
@pytest.mark.parametrize("width", [3, 6])
def test_gauss_kruger_zone_holds_the_longitude(prefix: bool, width: Literal[3, 6]) -> None:
    """Every longitude across China, 0.7° apart, lands in a zone of the asked kind that holds it."""
    problems = [
        problem
        for lon in GAUSS_KRUGER_LONGITUDES
        if (problem := gauss_kruger_zone_problem(lon, width=width, prefix=prefix))
    ]
    assert not problems, f"{len(problems)} of {len(GAUSS_KRUGER_LONGITUDES)} longitudes:\n" + (
        "\n".join(problems)
    )


def test_gauss_kruger_srid_outside_china() -> None:
    with pytest.raises(CrsError, match="outside the CGCS2000 Gauss-Krüger zones"):
        gauss_kruger_srid(10.0)


def test_lonlat_in_china_passes_and_ignores_nan() -> None:
    check_lonlat_in_china([114.05, 113.9, float("nan")], [22.54, 22.5, float("nan")])
    check_lonlat_in_china([], [])
    check_bbox_in_china((113.7, 22.4, 114.6, 22.9))


def test_swapped_coordinates_are_refused() -> None:
    with pytest.raises(CoordinateError) as excinfo:
        check_lonlat_in_china([22.4, 22.6, 22.8], [113.7, 114.0, 114.6])
    assert str(excinfo.value) == SWAPPED_MESSAGE
    with pytest.raises(CoordinateError, match="coordinates look swapped"):
        check_bbox_in_china((22.4, 113.7, 22.8, 114.6))


def test_outside_china_is_refused_naming_the_first_point() -> None:
    with pytest.raises(CoordinateError) as excinfo:
        check_lonlat_in_china([114.0, 2.35], [22.5, 48.85])
    message = str(excinfo.value)
    assert message.startswith("1 of 2 coordinates fall outside China (first: x=2.35, y=48.85)")
    assert "x in [2.35, 114] and y in [22.5, 48.85]" in message


def test_projected_values_declared_as_degrees_are_refused() -> None:
    with pytest.raises(CoordinateError, match=r"not WGS 84 degrees.*look projected"):
        check_lonlat_in_china([500000.0, 510000.0], [2490000.0, 2500000.0])


def test_malformed_bbox_is_refused() -> None:
    with pytest.raises(CoordinateError, match="minimum above maximum"):
        check_bbox_in_china((114.6, 22.4, 113.7, 22.9))


def test_gauss_kruger_to_wgs84_matches_pyproj() -> None:
    point = to_wgs84(Point(500000.0, 2493000.0), "EPSG:4547")
    assert point.x == pytest.approx(114.0, abs=1e-9)  # on the central meridian
    transformer = pyproj.Transformer.from_crs(4547, 4326, always_xy=True)
    polygon = Polygon([(500000, 2493000), (501000, 2493000), (501000, 2494000)])
    converted = to_wgs84(polygon, 4547)
    expected = np.column_stack(transformer.transform(*shapely.get_coordinates(polygon).T))
    assert shapely.get_coordinates(converted) == pytest.approx(expected, abs=1e-12)


def test_web_mercator_and_cgcs2000_to_wgs84() -> None:
    x, y = pyproj.Transformer.from_crs(4326, 3857, always_xy=True).transform(*SHENZHEN_CIVIC_CENTRE)
    point = to_wgs84(Point(x, y), "EPSG:3857")
    assert (point.x, point.y) == pytest.approx(SHENZHEN_CIVIC_CENTRE, abs=1e-9)
    point = to_wgs84(Point(*SHENZHEN_CIVIC_CENTRE), "EPSG:4490")
    assert (point.x, point.y) == pytest.approx(SHENZHEN_CIVIC_CENTRE, abs=1e-9)


def test_gcj02_and_bd09_to_wgs84_and_back() -> None:
    shell = [(114.0, 22.5), (114.1, 22.5), (114.1, 22.6), (114.0, 22.5)]
    polygon = MultiPolygon([Polygon(shell)])
    for name, forward in ((GCJ02, wgs84_to_gcj02), (BD09, wgs84_to_bd09)):
        shifted = from_wgs84(polygon, name)
        coords = shapely.get_coordinates(polygon)
        lon, lat = forward(coords[:, 0], coords[:, 1])
        assert shapely.get_coordinates(shifted) == pytest.approx(
            np.column_stack([lon, lat]), abs=1e-12
        )
        back = to_wgs84(shifted, name)
        assert back.geom_type == "MultiPolygon"
        assert shapely.get_coordinates(back) == pytest.approx(coords, abs=1e-9)


def test_to_wgs84_refuses_swapped_geographic_input() -> None:
    with pytest.raises(CoordinateError, match="coordinates look swapped"):
        to_wgs84([Point(22.5, 114.0), Point(22.6, 114.1)], "EPSG:4326")
    with pytest.raises(CoordinateError, match="coordinates look swapped"):
        to_wgs84(Point(22.5, 114.0), "gcj02")
    assert to_wgs84(Point(22.5, 114.0), "EPSG:4326", check=False).x == 22.5


def test_to_wgs84_refuses_a_wrong_projected_crs() -> None:
    gauss_kruger = Point(500000.0, 2493000.0)
    with pytest.raises(CoordinateError, match=r"after converting from EPSG:3857 .*outside China"):
        to_wgs84(gauss_kruger, "EPSG:3857")
    with pytest.raises(CoordinateError, match="cannot be converted from EPSG:4526"):
        to_wgs84(gauss_kruger, "EPSG:4526")  # zone-prefixed variant expects 38500000 m


def test_to_wgs84_keeps_geoseries_and_geodataframes() -> None:
    series = geopandas.GeoSeries(
        [Point(500000.0, 2493000.0), None], index=[7, 9], crs="EPSG:4547", name="geom"
    )
    converted = to_wgs84(series)
    assert isinstance(converted, geopandas.GeoSeries)
    assert converted.crs.to_epsg() == 4326
    assert converted.index.tolist() == [7, 9]
    assert converted.iloc[0].x == pytest.approx(114.0, abs=1e-9)
    assert converted.iloc[1] is None

    frame = geopandas.GeoDataFrame(
        {"name": ["a", "b"]}, geometry=series, index=series.index
    ).rename_geometry("shape")
    out = to_wgs84(frame)
    assert isinstance(out, geopandas.GeoDataFrame)
    assert out.crs.to_epsg() == 4326
    assert list(out.columns) == ["name", "shape"] and out.geometry.name == "shape"
    gcj = from_wgs84(out, "gcj02")
    assert gcj.crs is None  # GCJ-02 has no EPSG code
    assert gcj.geometry.iloc[0].x == pytest.approx(wgs84_to_gcj02(114.0, 22.5346)[0], abs=1e-3)


def test_geoseries_source_overrides_a_mislabelled_crs() -> None:
    # Chinese web-map GeoJSON is read as EPSG:4326 although it is GCJ-02.
    gcj_point = Point(*wgs84_to_gcj02(*SHENZHEN_CIVIC_CENTRE))
    series = geopandas.GeoSeries([gcj_point], crs="EPSG:4326")
    converted = to_wgs84(series, "gcj02")
    assert (converted.iloc[0].x, converted.iloc[0].y) == pytest.approx(
        SHENZHEN_CIVIC_CENTRE, abs=1e-9
    )


def test_unknown_source_crs_is_refused() -> None:
    with pytest.raises(CrsError, match="the source CRS is unknown"):
        to_wgs84(geopandas.GeoSeries([Point(114.0, 22.5)]))
    with pytest.raises(CrsError, match="the source CRS is unknown"):
        to_wgs84(Point(114.0, 22.5))


def test_docstring_examples() -> None:
    assert doctest.testmod(crs_module).failed == 0


def test_to_wgs84_keeps_z_values() -> None:
    for source in ("EPSG:4326", "EPSG:4547"):
        xy = (114.0, 22.5) if source == "EPSG:4326" else (500000.0, 2493000.0)
        point = to_wgs84(Point(*xy, 42.0), source)
        assert point.has_z and point.z == 42.0
