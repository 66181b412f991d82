"""Shenzhen's hierarchy: real names and codes, real district outlines, synthetic streets and
communities that tile their parents exactly."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from gis.crs import from_wgs84
from grids.codes import Level
from grids.coverage import check_tiling
from grids.hierarchy import (
    CITY_CODE,
    Area,
    build_shenzhen,
    read_area_records,
    short_area_name,
)
from grids.partition import grid_sequence_order
from grids.synthesis import synthesise_geometries

FUTIAN, BAOAN, LONGGANG, GUANGMING = "440304", "440306", "440307", "440311"
SHEKOU = "440305005"
DACHAN, NEILINGDING = "440305005009", "440305005011"  # 大铲社区, 内伶仃岛社区
DAPENG_STREETS = {"440307009", "440307010", "440307011"}  # 葵涌, 大鹏, 南澳
AIRPORT = "440306400"


def area_km2(geometry: shapely.Geometry) -> float:
    return float(shapely.area(from_wgs84(geometry, 4547))) / 1e6


@pytest.fixture(scope="module")
def areas() -> list[Area]:
    return build_shenzhen()


@pytest.fixture(scope="module")
def by_code(areas: list[Area]) -> dict[str, Area]:
    return {area.code: area for area in areas}


@pytest.fixture(scope="module")
def children(areas: list[Area]) -> dict[str, list[Area]]:
    result: dict[str, list[Area]] = {}
    for area in areas:
        if area.parent_code is not None:
            result.setdefault(area.parent_code, []).append(area)
    return result


def of_level(areas: list[Area], level: Level) -> list[Area]:
    return [area for area in areas if area.level == level]


def test_counts_per_level(areas: list[Area]) -> None:
    counts = [len(of_level(areas, level)) for level in Level if level.length <= 12]
    assert counts == [1, 9, 79, 788]
    assert len({area.code for area in areas}) == 877
    assert [record.code for record in read_area_records()] == [area.code for area in areas]


def test_codes_nest(areas: list[Area], by_code: dict[str, Area]) -> None:
    one_up = {Level.DISTRICT: Level.CITY, Level.STREET: Level.DISTRICT}
    one_up[Level.COMMUNITY] = Level.STREET
    city = by_code[CITY_CODE]
    assert (city.name, city.level, city.parent_code) == ("深圳市", Level.CITY, None)
    for area in areas:
        assert len(area.code) == area.level.length
        if area.level == Level.CITY:
            continue
        assert area.parent_code is not None
        parent = by_code[area.parent_code]
        assert parent.level == one_up[area.level], area.code
        assert area.code.startswith(parent.code), area.code
    assert {a.code for a in of_level(areas, Level.DISTRICT)} == {
        f"4403{n:02d}" for n in range(3, 12)
    }


def test_names_and_display_names(areas: list[Area], by_code: dict[str, Area]) -> None:
    assert by_code[FUTIAN].name == "福田区"
    assert by_code[GUANGMING].name == "光明区"
    assert by_code["440303001001"].name == "大塘龙社区居民委员会"
    assert by_code["440303001001"].short_name == "大塘龙社区"
    assert by_code[AIRPORT].short_name == "宝安国际机场"
    for area in of_level(areas, Level.COMMUNITY):
        assert "社区" in area.short_name, area.name
        assert "居委" not in area.short_name and "委员会" not in area.short_name, area.name
    for area in of_level(areas, Level.DISTRICT):
        assert area.short_name == area.name


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("桂木园社区居民委员会", "桂木园社区"),
        ("沙埔头社区居委会", "沙埔头社区"),
        ("黄麻布社区居委", "黄麻布社区"),
        ("小梅沙居委会", "小梅沙社区"),
        ("杨美社区嘉丽园居委会", "杨美社区嘉丽园"),
        ("凤凰社区平湖墟居民委员会", "凤凰社区平湖墟"),
        ("福田保税区虚拟社区", "福田保税区虚拟社区"),
        ("深圳盐田综合保税区", "盐田综合保税区"),
        ("桂园街道", "桂园街道"),
        ("深圳市", "深圳市"),
    ],
)
def test_short_area_name(name: str, short: str) -> None:
    assert short_area_name(name) == short


def test_geometries_are_valid_wgs84(areas: list[Area]) -> None:
    for area in areas:
        assert isinstance(area.geometry, Polygon | MultiPolygon), area.code
        assert area.geometry.is_valid and not area.geometry.is_empty, area.code
        min_lon, min_lat, max_lon, max_lat = area.geometry.bounds
        assert min_lon > 113.7 and max_lon < 114.7, area.code
        assert min_lat > 22.35 and max_lat < 22.9, area.code


def test_streets_and_communities_are_single_polygons_except_islands(
    areas: list[Area], by_code: dict[str, Area]
) -> None:
    multi = {
        a.code
        for a in areas
        if a.level in (Level.STREET, Level.COMMUNITY) and a.geometry.geom_type != "Polygon"
    }
    # 蛇口街道 and its 大铲社区 hold the two islets off 前海; 内伶仃岛社区 is one island.
    assert multi == {SHEKOU, DACHAN}
    others = [a.geometry for a in of_level(areas, Level.COMMUNITY) if a.code != DACHAN]
    for island in shapely.get_parts(by_code[DACHAN].geometry):
        assert min(shapely.distance(island, others)) > 0.001  # degrees: at sea, ~100 m
    neilingding = by_code[NEILINGDING].geometry
    assert isinstance(neilingding, Polygon)
    assert 4 < area_km2(neilingding) < 8
    assert neilingding.centroid.y < 22.45


def _check_all(parents: list[Area], children: dict[str, list[Area]]) -> list[str]:
    failures = []
    for parent in parents:
        report = check_tiling(parent.geometry, {c.code: c.geometry for c in children[parent.code]})
        if not report.ok:
            failures.append(f"{parent.code}: {report}")
    return failures


def test_streets_tile_their_district(areas: list[Area], children: dict[str, list[Area]]) -> None:
    assert _check_all(of_level(areas, Level.DISTRICT), children) == []


def test_communities_tile_their_street(areas: list[Area], children: dict[str, list[Area]]) -> None:
    assert _check_all(of_level(areas, Level.STREET), children) == []


def test_districts_tile_the_city_without_overlaps(
    by_code: dict[str, Area], children: dict[str, list[Area]]
) -> None:
    districts = {area.code: area.geometry for area in children[CITY_CODE]}
    report = check_tiling(by_code[CITY_CODE].geometry, districts)
    assert report.gap_area_m2 < 1.0 and report.overlap_area_m2 < 1.0
    assert report.outside_area_m2 < 1.0 and report.overlapping == ()
    # 龙岗 and its 大鹏 peninsula meet only at a point between 坪山 and 盐田.
    assert report.non_contiguous == (LONGGANG,)
    assert len(shapely.get_parts(by_code[LONGGANG].geometry)) == 2


def test_neighbours_share_borders_vertex_for_vertex(areas: list[Area]) -> None:
    for level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY):
        assert shapely.coverage_is_valid([a.geometry for a in of_level(areas, level)]), level


def test_guangming_split_from_baoan(by_code: dict[str, Area]) -> None:
    guangming, baoan = by_code[GUANGMING].geometry, by_code[BAOAN].geometry
    assert 156 * 0.85 < area_km2(guangming) < 156 * 1.15
    assert 397 * 0.85 < area_km2(baoan) < 397 * 1.15
    assert isinstance(guangming, Polygon) and isinstance(baoan, Polygon)
    assert guangming.centroid.y > baoan.centroid.y + 0.05  # 光明 lies north of 宝安
    assert guangming.centroid.x > baoan.centroid.x
    longhua = by_code["440309"].geometry
    assert shapely.length(shapely.intersection(guangming.boundary, longhua.boundary)) > 0.05


def test_futian_is_in_wgs84_not_gcj02(by_code: dict[str, Area]) -> None:
    centroid = by_code[FUTIAN].geometry.centroid
    assert abs(centroid.x - 114.05) < 0.015 and abs(centroid.y - 22.54) < 0.015
    text = (
        resources.files("grids")
        .joinpath("data/shenzhen/district_boundaries.geojson")
        .read_text(encoding="utf-8")
    )
    feature = next(f for f in json.loads(text)["features"] if f["properties"]["code"] == FUTIAN)
    gcj_centroid = shapely.make_valid(shape(feature["geometry"])).centroid
    points = from_wgs84(shapely.points([[centroid.x, centroid.y]]), 4547)
    gcj_points = from_wgs84(shapely.points([[gcj_centroid.x, gcj_centroid.y]]), 4547)
    shift = float(shapely.distance(points, gcj_points)[0])
    assert 400 < shift < 800  # GCJ-02 puts Shenzhen ~0.5 km east-south-east of WGS 84
    assert gcj_centroid.x > centroid.x and gcj_centroid.y < centroid.y


def test_dapeng_streets_sit_in_the_south_east(children: dict[str, list[Area]]) -> None:
    for street in children[LONGGANG]:
        east = street.geometry.centroid.x > 114.40
        assert east == (street.code in DAPENG_STREETS), street.name


def test_airport_on_the_west_coast(by_code: dict[str, Area]) -> None:
    airport = by_code[AIRPORT].geometry
    coast = by_code[CITY_CODE].geometry.boundary
    assert shapely.length(shapely.intersection(airport.boundary, coast)) > 0.02  # > 2 km
    assert airport.centroid.x < 113.82 and 22.6 < airport.centroid.y < 22.67


def test_special_zones_are_small(by_code: dict[str, Area], children: dict[str, list[Area]]) -> None:
    for code in ("440304400", "440305400", "440308403", "440310401"):  # 保税区, 前海...
        zone = area_km2(by_code[code].geometry)
        regular = [area_km2(s.geometry) for s in children[code[:6]] if s.code[6] != "4"]
        assert zone < 10 and zone < np.median(regular), code
    assert area_km2(by_code["440304400"].geometry) < 3  # 福田保税区: 1.35 km²


def test_sizes_vary_core_small_fringe_large(areas: list[Area]) -> None:
    streets = np.array([area_km2(a.geometry) for a in of_level(areas, Level.STREET)])
    assert streets.max() / np.median(streets) > 3
    communities = np.array([area_km2(a.geometry) for a in of_level(areas, Level.COMMUNITY)])
    luohu_core = [area_km2(a.geometry) for a in areas if a.code.startswith("440303001")]
    assert np.median(luohu_core) < np.median(communities)  # 桂园 is denser than average


def test_community_codes_run_west_to_east_north_to_south(
    areas: list[Area], children: dict[str, list[Area]]
) -> None:
    for street in of_level(areas, Level.STREET):
        mainland = [c for c in children[street.code] if c.code not in (DACHAN, NEILINGDING)]
        order = grid_sequence_order([c.geometry for c in mainland])
        assert order.tolist() == list(range(len(mainland))), street.code


def _synthesise(seed: int) -> dict[str, shapely.Geometry]:
    records = read_area_records()
    kids: dict[str, list[str]] = {}
    for record in records:
        if record.parent_code is not None:
            kids.setdefault(record.parent_code, []).append(record.code)
    streets = {r.code: kids[r.code] for r in records if r.level == Level.DISTRICT}
    communities = {r.code: kids[r.code] for r in records if r.level == Level.STREET}
    return synthesise_geometries(streets, communities, seed=seed)


def test_same_seed_same_polygons(areas: list[Area]) -> None:
    again = _synthesise(0)
    for area in areas:
        assert shapely.to_wkb(area.geometry) == shapely.to_wkb(again[area.code]), area.code


def test_other_seed_other_streets_same_districts(by_code: dict[str, Area]) -> None:
    other = {area.code: area for area in build_shenzhen(seed=1)}
    for code in ("440303", FUTIAN, GUANGMING):
        assert area_km2(other[code].geometry) == pytest.approx(area_km2(by_code[code].geometry))
    moved = [
        code
        for code, area in by_code.items()
        if area.level == Level.COMMUNITY and not other[code].geometry.equals(area.geometry)
    ]
    assert len(moved) > 600


def test_build_is_cached(areas: list[Area]) -> None:
    again = build_shenzhen()
    assert again is not areas and all(a is b for a, b in zip(again, areas, strict=True))
