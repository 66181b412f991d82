"""Reading, CRS detection, repair and attribute mapping of building footprints (no database)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import pytest
import shapely
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiPolygon,
    Point,
    Polygon,
    box,
)

from gis.coords import wgs84_to_bd09, wgs84_to_gcj02
from gis.crs import CoordinateError, CrsError, from_wgs84
from gis.footprints import (
    USE_TYPES,
    FootprintError,
    iter_footprints,
    layer_size,
    map_use_types,
    parse_floors,
    read_footprints,
    repair_polygons,
    write_rejects,
)

pytestmark = pytest.mark.filterwarnings(
    "ignore:'crs' was not provided", "ignore:Field .* will be written as a Float64"
)

LON, LAT = 114.005, 22.535  # inside the mini city's grid 44030400100101
SIZE = 0.0002  # ≈ 20 m


def squares(count: int = 3) -> list[Polygon]:
    """Small WGS 84 squares 50 m apart, west→east."""
    return [box(LON + i * 0.0005, LAT, LON + i * 0.0005 + SIZE, LAT + SIZE) for i in range(count)]


def write(path: Path, geometries, crs, **columns) -> Path:
    """Write ``geometries`` (already in ``crs``) with ``columns`` to ``path``."""
    driver = {
        ".gpkg": "GPKG",
        ".shp": "ESRI Shapefile",
        ".geojson": "GeoJSON",
        ".gdb": "OpenFileGDB",
    }[path.suffix]
    frame = gpd.GeoDataFrame(
        columns or {"n": list(range(len(geometries)))}, geometry=list(geometries), crs=crs
    )
    frame.to_file(path, driver=driver)
    return path


def write_osm(path: Path, buildings: list[tuple[int, Polygon, dict[str, str]]]) -> Path:
    """Write closed ways with their tags as OSM XML, or as PBF through ``osmium`` when
    ``path`` ends with ``.pbf``; node ids are way id × 100 + vertex number."""
    nodes, ways = [], []
    for way_id, polygon, tags in buildings:
        refs = []
        for i, (x, y) in enumerate(polygon.exterior.coords[:-1]):
            nodes.append(f'<node id="{way_id * 100 + i}" version="1" lat="{y:.7f}" lon="{x:.7f}"/>')
            refs.append(way_id * 100 + i)
        body = "".join(f'<nd ref="{ref}"/>' for ref in [*refs, refs[0]])
        body += "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        ways.append(f'<way id="{way_id}" version="1">{body}</way>')
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="blockgrid">'
        + "".join(nodes)
        + "".join(ways)
        + "</osm>\n"
    )
    if path.suffix != ".pbf":
        path.write_text(xml, encoding="utf-8")
        return path
    source = path.with_suffix(".xml.osm")
    source.write_text(xml, encoding="utf-8")
    subprocess.run(["osmium", "cat", "--overwrite", str(source), "-o", str(path)], check=True)
    return path


def assert_close(actual, expected, tolerance=1e-7) -> None:
    """Same shape within ``tolerance`` degrees (Hausdorff distance)."""
    assert shapely.hausdorff_distance(actual, expected) < tolerance, (actual, expected)


@pytest.mark.parametrize(
    ("name", "crs", "expected"),
    [
        ("a.gpkg", 4326, "EPSG:4326"),
        ("a.shp", 4490, "EPSG:4490"),
        ("a.geojson", 4326, "EPSG:4326"),
        ("a.gdb", 4547, "EPSG:4547"),
        ("a.gpkg", 3857, "EPSG:3857"),
    ],
)
def test_reads_each_format_and_crs_into_wgs84(tmp_path, name, crs, expected):
    originals = squares()
    geometries = originals if crs == 4326 else list(from_wgs84(originals, crs))
    path = write(tmp_path / name, geometries, crs)
    footprints = read_footprints(path)
    assert footprints.crs.name == expected
    assert footprints.read == 3 and len(footprints) == 3 and not footprints.rejects
    assert all(g.geom_type == "MultiPolygon" for g in footprints.geometry)
    for got, want in zip(footprints.geometry, originals, strict=True):
        assert_close(got, want, 1e-6 if crs == 4490 else 1e-7)


def test_file_without_crs_in_lonlat_is_taken_as_wgs84(tmp_path):
    path = write(tmp_path / "nocrs.shp", squares(), None)
    assert not path.with_suffix(".prj").exists()
    footprints = read_footprints(path)
    assert footprints.crs.name == "EPSG:4326"
    assert any("WGS 84 is assumed" in note for note in footprints.notes)


def test_file_without_crs_in_metres_is_refused_until_the_crs_is_given(tmp_path):
    projected = list(from_wgs84(squares(), 4547))
    path = write(tmp_path / "metres.shp", projected, None)
    with pytest.raises(CrsError, match=r"declares no CRS.*--from"):
        read_footprints(path)
    footprints = read_footprints(path, crs="EPSG:4547")
    assert_close(footprints.geometry[0], squares()[0], 1e-7)


@pytest.mark.parametrize("name", ["swapped.geojson", "swapped.gpkg", "swapped.shp"])
def test_swapped_latitude_longitude_is_refused(tmp_path, name):
    swapped = [shapely.transform(g, lambda xy: xy[:, ::-1]) for g in squares()]
    path = write(tmp_path / name, swapped, 4326)
    with pytest.raises(CoordinateError, match="coordinates look swapped"):
        read_footprints(path)


def test_swapped_without_crs_is_refused_as_swapped(tmp_path):
    swapped = [shapely.transform(g, lambda xy: xy[:, ::-1]) for g in squares()]
    path = write(tmp_path / "swapped_nocrs.shp", swapped, None)
    with pytest.raises(CoordinateError, match="look swapped"):
        read_footprints(path)


def test_wrong_projected_crs_is_refused_with_a_hint(tmp_path):
    path = write(tmp_path / "wrong.gpkg", list(from_wgs84(squares(), 3857)), 4547)
    with pytest.raises(CoordinateError, match="after converting from EPSG:4547"):
        read_footprints(path)


@pytest.mark.parametrize(
    ("pseudo", "convert"), [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)]
)
def test_web_map_coordinates_are_converted_back_to_wgs84(tmp_path, pseudo, convert):
    originals = squares()
    shifted = [
        shapely.transform(g, lambda xy: np.column_stack(convert(xy[:, 0], xy[:, 1])))
        for g in originals
    ]
    assert shapely.hausdorff_distance(shifted[0], originals[0]) > 0.001  # hundreds of metres
    path = write(tmp_path / f"{pseudo}.geojson", shifted, 4326)
    footprints = read_footprints(path, crs=pseudo)
    assert footprints.crs.name == pseudo
    for got, want in zip(footprints.geometry, originals, strict=True):
        assert_close(got, want, 1e-8)


def test_a_declared_crs_can_be_overridden(tmp_path):
    path = write(tmp_path / "mislabelled.gpkg", list(from_wgs84(squares(), 4547)), 3857)
    footprints = read_footprints(path, crs="EPSG:4547")
    assert footprints.notes == ["the file declares EPSG:3857; read as EPSG:4547 as asked"]
    assert_close(footprints.geometry[0], squares()[0], 1e-7)


def test_gcj02_cannot_be_asked_for_projected_data(tmp_path):
    path = write(tmp_path / "gk.gpkg", list(from_wgs84(squares(), 4547)), 4547)
    with pytest.raises(CrsError, match="longitude/latitude"):
        read_footprints(path, crs="gcj02")


def test_unsupported_crs_is_refused(tmp_path):
    to_hk = pyproj.Transformer.from_crs(4326, 2326, always_xy=True)  # Hong Kong 1980 Grid
    projected = [
        shapely.transform(g, lambda xy: np.column_stack(to_hk.transform(*xy.T))) for g in squares()
    ]
    path = write(tmp_path / "hk.gpkg", projected, 2326)
    with pytest.raises(CrsError, match="unsupported CRS"):
        read_footprints(path)


# -- repair -----------------------------------------------------------------------------
def _ring(*points: tuple[float, float]) -> Polygon:
    """A polygon from offsets in metres-ish units (1 unit = 1e-5°) around (LON, LAT)."""
    return Polygon([(LON + x * 1e-5, LAT + y * 1e-5) for x, y in points])


def test_bow_tie_becomes_two_triangles():
    bow_tie = _ring((0, 0), (10, 10), (10, 0), (0, 10), (0, 0))
    assert not bow_tie.is_valid
    fixed, status = repair_polygons([bow_tie])
    assert status.tolist() == [1]
    assert fixed[0].is_valid and len(fixed[0].geoms) == 2
    assert all(len(part.exterior.coords) == 4 for part in fixed[0].geoms)  # triangles
    assert fixed[0].area == pytest.approx(2 * 0.25 * (10e-5) ** 2)


def test_self_touching_ring_is_repaired():
    # The ring comes back to (5, 10) and encloses a notch: an inverted hole.
    ring = _ring((0, 0), (10, 0), (10, 10), (5, 10), (7, 5), (3, 5), (5, 10), (0, 10), (0, 0))
    assert not ring.is_valid
    fixed, status = repair_polygons([ring])
    assert status.tolist() == [1] and fixed[0].is_valid
    assert fixed[0].area == pytest.approx(ring.area, rel=1e-9)


def test_duplicate_points_are_harmless_and_kept():
    ring = _ring((0, 0), (0, 0), (10, 0), (10, 0), (10, 10), (0, 10), (0, 0))
    fixed, status = repair_polygons([ring])
    assert status.tolist() == [0]
    assert fixed[0].is_valid and fixed[0].area == pytest.approx(ring.area)


def test_unrepairable_slivers_and_non_polygons_are_flagged():
    collapsed = _ring((0, 0), (10, 0), (20, 0), (0, 0))  # a ring with no area
    sliver = _ring((0, 0), (0.5, 0), (0.5, 0.5), (0, 0.5), (0, 0))  # ≈ 0.3 m²
    mixed = GeometryCollection(
        [_ring((0, 0), (10, 0), (10, 10), (0, 0)), LineString([(LON, LAT), (LON + 1e-4, LAT)])]
    )
    fixed, status = repair_polygons(
        [
            collapsed,
            sliver,
            Point(LON, LAT),
            None,
            Polygon(),
            mixed,
            MultiPolygon([box(LON, LAT, LON + SIZE, LAT + SIZE)]),
        ]
    )
    assert status.tolist() == [4, 5, 3, 2, 2, 1, 0]
    assert fixed[5].geom_type == "MultiPolygon" and len(fixed[5].geoms) == 1
    assert fixed[0] is None and fixed[1] is None


def test_points_lines_and_bad_rings_go_to_rejects_with_reasons(tmp_path):
    geometries = [
        box(LON, LAT, LON + SIZE, LAT + SIZE),
        Point(LON, LAT),
        LineString([(LON, LAT), (LON + SIZE, LAT)]),
        _ring((0, 0), (10, 0), (20, 0), (0, 0)),
        _ring((0, 0), (10, 10), (10, 0), (0, 10), (0, 0)),
        box(LON, LAT, LON + 2e-6, LAT + 2e-6),
        box(-0.2, 51.5, -0.1, 51.6),  # London: not in China
    ]
    path = write(tmp_path / "mixed.gpkg", geometries, 4326, id=[10, 11, 12, 13, 14, 15, 16])
    footprints = read_footprints(path)
    reasons = {r.index: (r.source_id, r.reason) for r in footprints.rejects}
    assert reasons == {
        1: ("11", "not a polygon (Point)"),
        2: ("12", "not a polygon (LineString)"),
        3: ("13", "invalid and unrepairable"),
        5: ("15", "area below 1 m² (sliver)"),
        6: ("16", "outside China"),
    }
    assert footprints.index.tolist() == [0, 4] and footprints.repaired == 1
    assert footprints.source_id.to_pylist() == ["10", "14"]
    report = write_rejects(footprints.rejects, tmp_path / "rejects.csv").read_text()
    assert report.splitlines()[0] == "feature,source_id,reason"
    assert "1,11,not a polygon (Point)" in report
    layer = gpd.read_file(write_rejects(footprints.rejects, tmp_path / "rejects.gpkg"))
    assert len(layer) == 5 and layer.crs.to_epsg() == 4326


# -- attributes and ids -----------------------------------------------------------------
def test_attribute_mapping(tmp_path):
    path = write(
        tmp_path / "attrs.geojson",
        squares(5),
        4326,
        osm_id=[1, 2, 3, 4, 5],
        building=["apartments", "厂房", "yes", None, "office"],
        levels=["5", "12层", None, "0", "300"],
        start_date=["1998-05", None, "2010", "1700", "x"],
        name=["  福田大厦 ", "", None, "A", "B"],
        address=["福华路1号", None, None, None, None],
    )
    footprints = read_footprints(path)
    assert footprints.source_id.to_pylist() == ["1", "2", "3", "4", "5"]
    assert footprints.use_type.to_pylist() == [
        "residential",
        "industrial",
        "other",
        "other",
        "office",
    ]
    assert footprints.floors.tolist() == [5, 12, 1, 1, 200]
    assert footprints.year_built.tolist() == [1998, 0, 2010, 0, 0]
    assert footprints.name.to_pylist() == ["福田大厦", None, None, "A", "B"]
    assert footprints.address.to_pylist()[:2] == ["福华路1号", None]


def test_floors_that_are_not_numbers_are_rejected(tmp_path):
    path = write(tmp_path / "floors.gpkg", squares(3), 4326, floors=["3", "three", "4F"])
    footprints = read_footprints(path)
    assert [(r.index, r.reason) for r in footprints.rejects] == [
        (1, "floors is not a number: 'three'")
    ]
    assert footprints.floors.tolist() == [3, 4]


def test_parse_floors_and_use_types_vocabulary():
    floors, bad = parse_floors(np.array([2.4, 2.6, -3, None, " ", "7 floors"], dtype=object))
    assert floors.tolist() == [2, 3, 1, 1, 1, 7] and not bad.any()
    assert set(
        map_use_types(["住宅", "城中村", "医院", "学校", "商住", "政府"]).to_pylist()
    ) <= set(USE_TYPES)
    assert map_use_types(["城中村"]).to_pylist() == ["urban_village"]


def test_source_ids_from_field_fid_or_geometry_hash(tmp_path):
    gpkg = write(tmp_path / "ids.gpkg", squares(2), 4326, code=["A-1", "A-2"])
    assert read_footprints(gpkg).source_id.to_pylist() == ["1", "2"]  # GeoPackage fid
    assert read_footprints(gpkg, id_field="code").source_id.to_pylist() == ["A-1", "A-2"]
    with pytest.raises(FootprintError, match="no field 'nope'"):
        read_footprints(gpkg, id_field="nope")
    geojson = write(tmp_path / "ids.geojson", squares(2), 4326, kind=["a", "b"])
    first = read_footprints(geojson).source_id.to_pylist()
    assert all(i.startswith("wkb:") for i in first) and len(set(first)) == 2
    assert read_footprints(geojson).source_id.to_pylist() == first  # stable


def test_duplicate_source_ids_keep_the_first(tmp_path):
    path = write(tmp_path / "dups.gpkg", squares(3), 4326, id=[7, 8, 7])
    footprints = read_footprints(path)
    assert footprints.source_id.to_pylist() == ["7", "8"]
    assert [(r.index, r.reason) for r in footprints.rejects] == [
        (2, "duplicate source id '7' (first at feature 0)")
    ]


def test_several_layers_need_a_layer_name(tmp_path):
    path = tmp_path / "two.gpkg"
    for layer in ("a", "b"):
        pyogrio.write_dataframe(gpd.GeoDataFrame(geometry=squares(1), crs=4326), path, layer=layer)
    with pytest.raises(FootprintError, match="--layer"):
        read_footprints(path)
    assert len(read_footprints(path, layer="b")) == 1


@pytest.mark.parametrize("name", ["city.osm", "city.osm.pbf"])
def test_openstreetmap_buildings(tmp_path, name):
    path = write_osm(
        tmp_path / name,
        [
            (
                501,
                squares(3)[0],
                {"building": "apartments", "building:levels": "18", "name": "海景"},
            ),
            (502, squares(3)[1], {"building": "yes"}),
            (503, squares(3)[2], {"landuse": "grass"}),  # not a building: not read
        ],
    )
    footprints = read_footprints(path)
    assert footprints.crs.name == "EPSG:4326" and footprints.read == 2
    assert footprints.source_id.to_pylist() == ["way/501", "way/502"]
    assert footprints.use_type.to_pylist() == ["residential", "other"]
    assert footprints.floors.tolist() == [18, 1]
    assert footprints.name.to_pylist() == ["海景", None]
    assert_close(footprints.geometry[0], squares(3)[0], 1e-6)


def test_stored_wkb_is_the_files_own_bytes_unless_repaired_or_converted(tmp_path):
    square = box(LON, LAT, LON + 2e-4, LAT + 2e-4)
    bow_tie = _ring((0, 0), (10, 10), (10, 0), (0, 10), (0, 0))
    path = write(tmp_path / "bytes.gpkg", [square, bow_tie], 4326, id=["a", "b"])
    _, table = pyogrio.read_arrow(path)
    as_read = table.column(table.num_columns - 1).to_pylist()[0]
    footprints = read_footprints(path)
    kept, repaired = footprints.wkb.to_pylist()
    one_part = bytes.fromhex("010600000001000000")
    assert kept == one_part + as_read  # the polygon's own bytes, wrapped as a MultiPolygon
    assert footprints.built is not None and footprints.built[0] is None  # no geometry built
    assert len(footprints.built[1].geoms) == 2  # the bow tie, repaired into two triangles
    assert repaired == shapely.to_wkb(footprints.built[1], byte_order=1, output_dimension=2)
    assert footprints.geometry[0].equals(MultiPolygon([square]))  # built on request
    projected = write(tmp_path / "bytes_4547.gpkg", [from_wgs84(square, 4547)], 4547, id=["c"])
    converted = read_footprints(projected)
    assert converted.wkb.to_pylist() == [
        shapely.to_wkb(converted.built[0], byte_order=1, output_dimension=2)
    ]  # converted: written anew
    assert_close(converted.built[0], square, 1e-7)


def test_batches_number_features_from_the_start_and_reject_repeats_across_them(tmp_path):
    shapes = [box(LON + i * 3e-4, LAT, LON + i * 3e-4 + 2e-4, LAT + 2e-4) for i in range(5)]
    shapes[3] = Point(LON, LAT)  # not a polygon
    path = write(tmp_path / "batches.gpkg", shapes, 4326, id=["a", "b", "c", "a", "b"])
    batches = list(iter_footprints(path, batch_features=2))
    assert [part.read for part in batches] == [2, 2, 1]
    assert [part.index.tolist() for part in batches] == [[0, 1], [2], []]
    assert [(r.index, r.reason) for part in batches for r in part.rejects] == [
        (3, "not a polygon (Point)"),
        (4, "duplicate source id 'b' (first at feature 1)"),
    ]
    assert batches[0].notes == [] and all(part.crs.srid == 4326 for part in batches)
    whole = read_footprints(path)
    assert whole.index.tolist() == [0, 1, 2] and whole.read == 5
    assert [r.index for r in whole.rejects] == [3, 4]
    assert layer_size(path) == 5


def test_batches_follow_in_order(tmp_path):
    shapes = [box(LON + i * 3e-4, LAT, LON + i * 3e-4 + 2e-4, LAT + 2e-4) for i in range(7)]
    path = write(tmp_path / "first.gpkg", shapes, 4326, id=[f"f{i}" for i in range(7)])
    batches = list(iter_footprints(path, batch_features=3))
    assert [part.read for part in batches] == [3, 3, 1]
    assert [part.index.tolist() for part in batches] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [part.source_id.to_pylist() for part in batches][1] == ["f3", "f4", "f5"]
    stored = [value for part in batches for value in part.wkb.to_pylist()]
    assert stored == read_footprints(path).wkb.to_pylist()


def test_an_empty_layer_gives_one_empty_batch(tmp_path):
    path = write(tmp_path / "empty.gpkg", [box(LON, LAT, LON + 1e-4, LAT + 1e-4)], 4326, id=["x"])
    assert [part.read for part in iter_footprints(path, batch_features=1)] == [1]
    frame = gpd.read_file(path).iloc[0:0]
    frame.to_file(tmp_path / "none.gpkg", driver="GPKG")
    parts = list(iter_footprints(tmp_path / "none.gpkg"))
    assert len(parts) == 1 and parts[0].read == 0 and len(parts[0]) == 0
