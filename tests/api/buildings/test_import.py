"""``blockgrid import buildings`` against a real PostGIS: formats, CRSs, codes, upserts, rollback.

The module works in a database of its own (``import_test``) holding the mini city, so
the shared test database keeps its exact set of buildings. The mini city's grid
44030400100101 covers 114.00–114.01°E × 22.53–22.54°N, 44030400100102 the next 0.01° east.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import psycopg
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from typer.testing import CliRunner

from api.buildings.importer import (
    BULK_MIN_ROWS,
    ImportRefused,
    import_batches,
    import_buildings_file,
)
from api.buildings.models import BUILDING_USES
from api.settings import get_settings
from bench.import_bench import BENCH_SOURCE, OGR_TABLE, run_import_benchmark
from cli import app as cli
from gis.coords import wgs84_to_gcj02
from gis.crs import CoordinateError, from_wgs84
from gis.footprints import USE_TYPES, iter_footprints
from grids.codes import Level, level_of
from tests.gis.test_footprints import write, write_osm

pytestmark = pytest.mark.filterwarnings(
    "ignore:'crs' was not provided",
    "ignore:Field .* will be written as a Float64",
    "ignore:Normalized/laundered layer name",
)

GRID_1, GRID_2 = "44030400100101", "44030400100102"


@pytest.fixture
def run_cli(import_db, monkeypatch):
    """``run_cli("import", "buildings", ...)`` against ``import_db``."""
    monkeypatch.setenv("DATABASE_URL", import_db)
    get_settings.cache_clear()

    def _run(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    yield _run
    get_settings.cache_clear()


def rows(url: str, source: str) -> list[dict]:
    with (
        psycopg.connect(url) as connection,
        connection.cursor(row_factory=psycopg.rows.dict_row) as cursor,
    ):
        return cursor.execute(
            "SELECT code, grid_code, source_id, use_type, floors, year_built, name,"
            " ST_AsText(footprint) AS wkt, ST_NumGeometries(footprint) AS parts,"
            " ST_IsValid(footprint) AS valid, updated_at,"
            " ST_Distance(ST_Transform(footprint, 3857), footprint_3857) AS drift"
            " FROM buildings WHERE source = %s ORDER BY source_id",
            (source,),
        ).fetchall()


def total(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT count(*) FROM buildings").fetchone()[0]


def squares(count: int, *, lon: float = 114.005, lat: float = 22.535) -> list[Polygon]:
    """``count`` squares of ≈ 20 m, 50 m apart west→east."""
    return [box(lon + i * 5e-4, lat, lon + i * 5e-4 + 2e-4, lat + 2e-4) for i in range(count)]


def assert_valid_code(code: str, grid: str) -> None:
    assert re.fullmatch(r"\d{19}", code) and code.startswith(grid)
    assert level_of(code) is Level.BUILDING


def _gcj(polygon: Polygon) -> Polygon:
    return shapely.transform(polygon, lambda xy: np.column_stack(wgs84_to_gcj02(*xy.T)))


FORMATS = [  # file name, CRS written, --from, how the WGS 84 squares are stored
    ("geopackage-4326.gpkg", 4326, None, lambda g: g),
    ("shp-4490.shp", 4490, None, lambda g: list(from_wgs84(g, 4490))),
    ("geojson-gcj02.geojson", 4326, "gcj02", lambda g: [_gcj(p) for p in g]),
    ("gdb-4547.gdb", 4547, None, lambda g: list(from_wgs84(g, 4547))),
    ("geopackage-3857.gpkg", 3857, None, lambda g: list(from_wgs84(g, 3857))),
]


@pytest.mark.parametrize(("name", "crs", "from_crs", "store"), FORMATS, ids=[f[0] for f in FORMATS])
def test_import_each_format_and_crs(import_db, tmp_path, name, crs, from_crs, store):
    originals = squares(3, lat=22.531 + 0.001 * FORMATS.index((name, crs, from_crs, store)))
    prefix = name.split(".")[0]
    path = write(
        tmp_path / name,
        store(originals),
        crs,
        id=[f"{prefix}-{i}" for i in range(3)],
        floors=[3, 7, 12],
        use=["住宅", "office", "厂房"],
    )
    result = import_buildings_file(import_db, path, source=prefix, crs=from_crs)
    assert (result.read, result.inserted, result.rejected) == (3, 3, 0)
    stored = rows(import_db, prefix)
    assert [r["source_id"] for r in stored] == [f"{prefix}-{i}" for i in range(3)]
    assert [r["use_type"] for r in stored] == ["residential", "office", "industrial"]
    assert [r["floors"] for r in stored] == [3, 7, 12]
    for row, original in zip(stored, originals, strict=True):
        assert_valid_code(row["code"], GRID_1)
        assert row["grid_code"] == GRID_1
        tolerance = 1e-6 if crs == 4490 else 1e-7
        assert shapely.hausdorff_distance(shapely.from_wkt(row["wkt"]), original) < tolerance
        assert row["drift"] < 1e-6


@pytest.mark.parametrize("name", ["osm-pbf.osm.pbf"])
def test_import_openstreetmap_pbf(import_db, tmp_path, name):
    path = write_osm(
        tmp_path / name,
        [
            (9001, squares(2, lat=22.538)[0], {"building": "apartments", "building:levels": "18"}),
            (9002, squares(2, lat=22.538)[1], {"building": "school", "name": "实验学校"}),
        ],
    )
    result = import_buildings_file(import_db, path, source="osm")
    assert (result.inserted, result.rejected) == (2, 0)
    stored = rows(import_db, "osm")
    assert [(r["source_id"], r["use_type"], r["floors"], r["name"]) for r in stored] == [
        ("way/9001", "residential", 18, None),
        ("way/9002", "school", 1, "实验学校"),
    ]
    assert all(r["grid_code"] == GRID_1 for r in stored)


def test_swapped_axes_are_refused_and_nothing_is_written(import_db, tmp_path, run_cli):
    swapped = [shapely.transform(g, lambda xy: xy[:, ::-1]) for g in squares(2)]
    path = write(tmp_path / "swapped.gpkg", swapped, 4326, id=["s-1", "s-2"])
    before = total(import_db)
    outcome = run_cli("import", "buildings", str(path))
    assert outcome.exit_code != 0
    assert "coordinates look swapped" in outcome.output
    assert "nothing was imported" in outcome.output
    assert total(import_db) == before


def test_invalid_rings_are_repaired_or_reported(import_db, tmp_path, run_cli):
    lon, lat = 114.012, 22.532
    bow_tie = Polygon([(lon, lat), (lon + 2e-4, lat + 2e-4), (lon + 2e-4, lat), (lon, lat + 2e-4)])
    collapsed = Polygon([(lon, lat), (lon + 1e-4, lat), (lon + 2e-4, lat)])
    geometries = [
        bow_tie,
        collapsed,
        Point(lon, lat),
        LineString([(lon, lat), (lon, lat + 1e-4)]),
        box(113.9, 22.6, 113.9002, 22.6002),
        squares(1, lon=lon + 0.001, lat=lat)[0],
        squares(1, lon=lon + 0.002, lat=lat)[0],
    ]
    path = write(
        tmp_path / "rings.gpkg",
        geometries,
        4326,
        id=["r-1", "r-2", "r-3", "r-4", "r-5", "r-6", "r-6"],
        floors=["6", "2", "2", "2", "2", "many", "3"],
    )
    outcome = run_cli("import", "buildings", str(path), "--source", "rings")
    assert outcome.exit_code == 0, outcome.output
    assert "7 read, 1 repaired, 6 rejected, 1 inserted" in outcome.output
    report = (tmp_path / "rings.gpkg.rejects.csv").read_text(encoding="utf-8").splitlines()
    assert report == [
        "feature,source_id,reason",
        "1,r-2,invalid and unrepairable",
        "2,r-3,not a polygon (Point)",
        "3,r-4,not a polygon (LineString)",
        "4,r-5,outside every community and grid of the loaded city",
        "5,r-6,floors is not a number: 'many'",
        "6,r-6,duplicate source id 'r-6' (first at feature 5)",
    ]
    [stored] = rows(import_db, "rings")
    assert stored["source_id"] == "r-1" and stored["valid"] and stored["parts"] == 2
    assert stored["grid_code"] == GRID_2 and stored["floors"] == 6


def test_rejects_report_as_geopackage(import_db, tmp_path, run_cli):
    path = write(tmp_path / "pts.gpkg", [Point(114.005, 22.535)], 4326, id=["p-1"])
    report = tmp_path / "out" / "rejects.gpkg"
    report.parent.mkdir()
    outcome = run_cli("import", "buildings", str(path), "--rejects", str(report))
    assert report.exists()  # written before failing: every feature (one point) was rejected
    assert outcome.exit_code == 1 and "every feature was rejected" in outcome.output


def test_reimport_is_idempotent(import_db, tmp_path):
    path = write(
        tmp_path / "same.gpkg", squares(4, lat=22.5365), 4326, id=[f"same-{i}" for i in range(4)]
    )
    first = import_buildings_file(import_db, path, source="same")
    codes = [r["code"] for r in rows(import_db, "same")]
    count = total(import_db)
    again = import_buildings_file(import_db, path, source="same")
    assert (first.inserted, again.inserted, again.updated, again.unchanged) == (4, 0, 0, 4)
    assert [r["code"] for r in rows(import_db, "same")] == codes
    assert total(import_db) == count


def test_changed_footprint_updates_in_place(import_db, tmp_path):
    originals = squares(3, lat=22.5375)
    first = write(
        tmp_path / "v1.gpkg", originals, 4326, id=["chg-1", "chg-2", "chg-3"], floors=[4, 4, 4]
    )
    import_buildings_file(import_db, first, source="chg")
    before = {r["source_id"]: r for r in rows(import_db, "chg")}
    moved = squares(1, lon=114.0152, lat=22.5375)[0]  # now in grid 02
    second = write(
        tmp_path / "v2.gpkg",
        [originals[0], moved, originals[2]],
        4326,
        id=["chg-1", "chg-2", "chg-3"],
        floors=[4, 4, 9],
    )
    result = import_buildings_file(import_db, second, source="chg")
    assert (result.inserted, result.updated, result.unchanged) == (0, 2, 1)
    after = {r["source_id"]: r for r in rows(import_db, "chg")}
    assert {k: r["code"] for k, r in after.items()} == {k: r["code"] for k, r in before.items()}
    assert after["chg-2"]["grid_code"] == GRID_2 and after["chg-2"]["code"].startswith(GRID_1)
    assert shapely.equals_exact(shapely.from_wkt(after["chg-2"]["wkt"]).geoms[0], moved, 1e-12)
    assert after["chg-3"]["floors"] == 9
    assert after["chg-1"]["updated_at"] == before["chg-1"]["updated_at"]
    assert after["chg-3"]["updated_at"] > before["chg-3"]["updated_at"]


def test_codes_continue_the_grids_sequence(import_db, tmp_path):
    with psycopg.connect(import_db) as connection:  # a code issued earlier, by hand
        connection.execute(
            "INSERT INTO buildings (code, grid_code, footprint, footprint_3857,"
            " use_type, floors) SELECT %s, grid_code, footprint, footprint_3857,"
            " use_type, floors FROM buildings WHERE code = %s",
            (GRID_2 + "00041", GRID_2 + "00001"),
        )
    north = squares(3, lon=114.0105, lat=22.5385)  # one row west→east ...
    south = squares(1, lon=114.0105, lat=22.5305)  # ... then a building further south
    path = write(
        tmp_path / "seq.gpkg",
        [north[2], south[0], north[0], north[1]],
        4326,
        id=["q-east", "q-south", "q-west", "q-mid"],
    )
    import_buildings_file(import_db, path, source="seq")
    codes = {r["source_id"]: r["code"] for r in rows(import_db, "seq")}
    assert codes == {
        "q-west": GRID_2 + "00042",
        "q-mid": GRID_2 + "00043",
        "q-east": GRID_2 + "00044",
        "q-south": GRID_2 + "00045",
    }
    for code in codes.values():
        assert_valid_code(code, GRID_2)


def test_strict_refuses_the_whole_file(import_db, tmp_path, run_cli):
    path = write(
        tmp_path / "strict.gpkg",
        squares(3, lat=22.5335),
        4326,
        id=["st-1", "st-2", "st-3"],
        floors=["2", "3", "lots"],
    )
    before = total(import_db)
    outcome = run_cli("import", "buildings", str(path), "--strict")
    assert outcome.exit_code != 0 and "nothing was imported" in outcome.output
    assert total(import_db) == before
    assert "floors is not a number: 'lots'" in (tmp_path / "strict.gpkg.rejects.csv").read_text()
    with pytest.raises(ImportRefused):  # also when the database finds the reject
        outside = write(
            tmp_path / "outside.gpkg", [box(113.9, 22.6, 113.9002, 22.6002)], 4326, id=["st-out"]
        )
        import_buildings_file(import_db, outside, strict=True)
    assert total(import_db) == before


@pytest.fixture
def failing_trigger(import_db) -> Iterator[None]:
    """Make any insert or update of a building named 'boom' fail inside the database."""
    with psycopg.connect(import_db) as connection:
        connection.execute(
            "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " IF NEW.name = 'boom' THEN RAISE EXCEPTION 'boom at %', NEW.source_id; END IF;"
            " RETURN NEW; END $$;"
            " CREATE TRIGGER boom BEFORE INSERT OR UPDATE ON buildings"
            " FOR EACH ROW EXECUTE FUNCTION boom()"
        )
    yield
    with psycopg.connect(import_db) as connection:
        connection.execute("DROP TRIGGER boom ON buildings; DROP FUNCTION boom()")


@pytest.mark.parametrize("bulk", [False, True], ids=["row-upkeep", "bulk-rebuild"])
def test_failure_mid_file_leaves_nothing(import_db, tmp_path, failing_trigger, bulk):
    source = f"aon-{int(bulk)}"
    lat = 22.5325 if bulk else 22.5315
    first = write(
        tmp_path / "a.gpkg",
        squares(2, lat=lat),
        4326,
        id=[f"{source}-1", f"{source}-2"],
        floors=[2, 2],
    )
    import_buildings_file(import_db, first, source=source)
    indexes = _index_definitions(import_db)
    before = rows(import_db, source)
    count = total(import_db)
    # feature 1 changes (an UPDATE), features 3–5 are new; the 4th fails in the database
    names = [None, None, "ok", "boom", "ok"]
    second = write(
        tmp_path / "b.gpkg",
        squares(5, lat=lat),
        4326,
        id=[f"{source}-{i}" for i in range(1, 6)],
        floors=[8, 2, 2, 2, 2],
        name=names,
    )
    with pytest.raises(psycopg.errors.RaiseException, match="boom at"):
        import_buildings_file(import_db, second, source=source, bulk=bulk)
    assert rows(import_db, source) == before
    assert total(import_db) == count
    assert _index_definitions(import_db) == indexes


def deferred_indexes(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT name, kind FROM deferred_indexes ORDER BY name"
        ).fetchall()


def _index_definitions(url: str) -> list[tuple]:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'buildings' UNION ALL"
            " SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'buildings'::regclass ORDER BY 1"
        ).fetchall()


def test_bulk_load_rebuilds_the_same_indexes_and_constraints(import_db, tmp_path):
    indexes = _index_definitions(import_db)
    path = write(
        tmp_path / "bulk.gpkg", squares(6, lat=22.5345), 4326, id=[f"bulk-{i}" for i in range(6)]
    )
    result = import_buildings_file(import_db, path, source="bulk", bulk=True)
    assert result.inserted == 6
    assert "indexes" in result.steps and "commit" in result.steps  # rebuilt after the commit
    assert deferred_indexes(import_db) == []
    assert _index_definitions(import_db) == indexes
    assert BULK_MIN_ROWS >= 10_000  # small imports never take the exclusive lock by default


def test_bulk_load_numbers_its_rows_and_moves_the_sequence_past_them(import_db, tmp_path):
    bulk = write(
        tmp_path / "ids.gpkg", squares(4, lat=22.5355), 4326, id=[f"id-{i}" for i in range(4)]
    )
    after = write(
        tmp_path / "ids2.gpkg", squares(1, lon=114.0085, lat=22.5355), 4326, id=["id-after"]
    )
    with psycopg.connect(import_db) as connection:
        before = connection.execute("SELECT last_value FROM buildings_id_seq").fetchone()[0]
    assert import_buildings_file(import_db, bulk, source="ids", bulk=True).inserted == 4
    assert import_buildings_file(import_db, after, source="ids", bulk=False).inserted == 1
    with psycopg.connect(import_db) as connection:
        ids = connection.execute(
            "SELECT source_id, id FROM buildings WHERE source = 'ids' ORDER BY id"
        ).fetchall()
    numbers = [number for _, number in ids]
    assert numbers[:4] == list(range(before + 1, before + 5))  # the sequence's next four
    assert numbers[4] == before + 5  # nextval continues after them
    assert ids[4][0] == "id-after"


def test_source_id_of_another_source_is_rejected(import_db, tmp_path):
    path = write(tmp_path / "o1.gpkg", squares(1, lat=22.5395), 4326, id=["shared-1"])
    import_buildings_file(import_db, path, source="one")
    result = import_buildings_file(import_db, path, source="two")
    assert result.inserted == 0
    assert [r.reason for r in result.rejects] == ["source id already used by source 'one'"]


def test_holed_and_multipart_footprints_store_exact_derived_columns(import_db, tmp_path):
    lon, lat = 114.0115, 22.5365
    holed = Polygon(
        [(lon, lat), (lon + 4e-4, lat), (lon + 4e-4, lat + 4e-4), (lon, lat + 4e-4)],
        [[(lon + 1e-4, lat + 1e-4), (lon + 2e-4, lat + 1e-4), (lon + 2e-4, lat + 2e-4)]],
    )
    parts = MultiPolygon(
        [
            box(lon + 6e-4, lat, lon + 8e-4, lat + 2e-4),
            box(lon + 9e-4, lat, lon + 11e-4, lat + 1e-4),
        ]
    )
    path = write(
        tmp_path / "shapes.gpkg",
        [holed, shapely.reverse(holed), parts],
        4326,
        id=["sh-1", "sh-2", "sh-3"],
    )
    result = import_buildings_file(import_db, path, source="shapes", bulk=True)
    assert (result.inserted, result.rejected) == (3, 0)
    with psycopg.connect(import_db) as connection:
        stored = connection.execute(
            "SELECT source_id, ST_NumGeometries(footprint), ST_NumInteriorRings(ST_GeometryN("
            "footprint, 1)), footprint_3857 = ST_Transform(footprint, 3857),"
            " ST_SRID(footprint_3857)"
            " FROM buildings WHERE source = 'shapes' ORDER BY source_id"
        ).fetchall()
    assert stored == [
        ("sh-1", 1, 1, True, 3857),
        ("sh-2", 1, 1, True, 3857),
        ("sh-3", 2, 0, True, 3857),
    ]
    assert all(r["grid_code"] == GRID_2 for r in rows(import_db, "shapes"))


def test_use_types_match_the_model():
    assert USE_TYPES == BUILDING_USES


def test_benchmark_runs_and_cleans_up(import_db, tmp_path):
    result = run_import_benchmark(import_db, count=400, workdir=tmp_path, repeats=2)
    assert result["rows"] == 400 and result["blockgrid_inserted"] == 400
    assert result["ogr2ogr_rows_per_s"] > 0 and result["blockgrid_rows_per_s"] > 0
    assert len(result["rounds"]) == 2
    times = sorted(pair["blockgrid_seconds"] for pair in result["rounds"])
    assert times[0] <= result["blockgrid_seconds"] <= times[-1]
    with psycopg.connect(import_db) as connection:
        assert connection.execute("SELECT to_regclass(%s)", (OGR_TABLE,)).fetchone()[0] is None
        assert (
            connection.execute(
                "SELECT count(*) FROM buildings WHERE source = %s", (BENCH_SOURCE,)
            ).fetchone()[0]
            == 0
        )


def _max_code(url: str, grid: str) -> int:
    with psycopg.connect(url) as connection:
        return int(
            connection.execute(
                "SELECT max(code) FROM buildings WHERE code LIKE %s", (grid + "%",)
            ).fetchone()[0][-5:]
        )


def test_a_file_read_in_batches_is_one_import(import_db, tmp_path):
    first = write(
        tmp_path / "b1.gpkg", squares(2, lat=22.5395), 4326, id=["bat-1", "bat-2"], floors=[3, 3]
    )
    import_buildings_file(import_db, first, source="bat")
    last = _max_code(import_db, GRID_1)
    shapes = squares(5, lat=22.5395)
    second = write(
        tmp_path / "b2.gpkg",
        [*shapes, shapes[0]],
        4326,
        id=["bat-1", "bat-2", "bat-3", "bat-4", "bat-5", "bat-1"],
        floors=[3, 7, 3, 3, 3, 3],
    )
    result = import_batches(
        import_db, iter_footprints(second, batch_features=2), source="bat", expected=6
    )
    assert (result.read, result.inserted, result.updated, result.unchanged) == (6, 3, 1, 1)
    assert [(r.index, r.reason) for r in result.rejects] == [
        (5, "duplicate source id 'bat-1' (first at feature 0)")
    ]
    stored = {r["source_id"]: r for r in rows(import_db, "bat")}
    assert stored["bat-2"]["floors"] == 7
    # the sequence of the grid goes on from batch to batch (bat-3, bat-4, then bat-5)
    assert [stored[f"bat-{i}"]["code"] for i in (3, 4, 5)] == [
        f"{GRID_1}{last + k:05d}" for k in (1, 2, 3)
    ]


def test_strict_refusal_lists_the_rejects_of_every_batch(import_db, tmp_path):
    shapes: list = squares(4, lat=22.5355)
    shapes[1] = shapes[1].exterior  # a LineString
    shapes[3] = shapes[3].centroid  # a Point
    path = write(tmp_path / "sb.gpkg", shapes, 4326, id=[f"sb-{i}" for i in range(4)])
    count = total(import_db)
    with pytest.raises(ImportRefused) as refused:
        import_batches(
            import_db,
            iter_footprints(path, batch_features=2),
            source="sb",
            expected=4,
            strict=True,
        )
    assert [r.index for r in refused.value.details] == [1, 3]
    assert total(import_db) == count


def test_a_refusal_in_a_later_batch_leaves_nothing(import_db, tmp_path):
    shapes = squares(4, lat=22.5415)
    swapped = [shapely.transform(s, lambda xy: xy[:, ::-1]) for s in shapes[2:]]
    path = write(
        tmp_path / "late.gpkg", [*shapes[:2], *swapped], 4326, id=[f"late-{i}" for i in range(4)]
    )
    count = total(import_db)
    with pytest.raises(CoordinateError, match="swapped"):
        import_batches(
            import_db, iter_footprints(path, batch_features=2), source="late", expected=4
        )
    assert total(import_db) == count and rows(import_db, "late") == []


def test_codes_do_not_depend_on_the_batch_size(import_db, tmp_path):
    rng = np.random.default_rng(15)
    lon, lat = rng.uniform(114.0005, 114.0195, 40), rng.uniform(22.5305, 22.5395, 40)
    shapes = [box(x, y, x + 1e-4, y + 1e-4) for x, y in zip(lon, lat, strict=True)]
    shapes += [shapes[0], shapes[1]]  # two footprints on the same spot: ties by source id
    ids = [f"bs-{i:02d}" for i in range(42)]
    path = write(tmp_path / "bs.gpkg", shapes, 4326, id=ids)
    codes = []
    for batch_features in (3, 65_536):
        with psycopg.connect(import_db) as connection:
            connection.execute("DELETE FROM buildings WHERE source = 'bs'")
        result = import_buildings_file(import_db, path, source="bs", batch_features=batch_features)
        assert result.inserted == 42
        codes.append({r["source_id"]: r["code"] for r in rows(import_db, "bs")})
    assert codes[0] == codes[1]
    assert {code[:14] for code in codes[0].values()} == {GRID_1, GRID_2}
    assert codes[0]["bs-00"] < codes[0]["bs-40"] and codes[0]["bs-01"] < codes[0]["bs-41"]
