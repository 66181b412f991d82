"""``blockgrid import`` run as a clerk runs it (a real subprocess): audited, clear refusals,
and one line (never a traceback) with exit 1 for an unreachable database or a file or
folder it may not read or write.

The module works in a database of its own (``cli_imports``) holding the mini city, whose
grid 44030400100101 covers 114.00–114.01°E × 22.53–22.54°N.
"""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
from shapely.geometry import box

from tests.conftest import free_port, mini_city_database

BLOCKGRID = Path(sys.executable).with_name("blockgrid")
HOTLINE = (
    "工单编号,受理时间,分类编码,标题,描述,地址,经度,纬度,来电电话\n"
    "CLI-001,2026-11-20 09:15,06001,垃圾堆放,楼下垃圾,滨江路1号,114.0032,22.5332,\n"
    "CLI-002,2026-11-20 10:00,09002,乱停车,车辆堵门,滨江路2号,114.0033,22.5333,\n"
)


@pytest.fixture(scope="module")
def cli_db(cluster) -> Iterator[str]:
    with mini_city_database(cluster, "cli_imports") as url:
        yield url


@pytest.fixture
def blockgrid(cli_db, tmp_path):
    """``blockgrid("import", "events", path)`` → the finished process (stdout, stderr)."""

    def _run(
        *args: str | Path, env: dict[str, str] | None = None, unprivileged: bool = False
    ) -> subprocess.CompletedProcess[str]:
        env = (
            os.environ
            | {
                "DATABASE_URL": cli_db,
                "BLOCKGRID_VAR_DIR": str(tmp_path / "var"),
                "COLUMNS": "200",  # one line per message, whatever the terminal
            }
            | (env or {})
        )
        command = [str(BLOCKGRID), *map(str, args)]
        if unprivileged and os.geteuid() == 0:  # root reads and writes anything: drop that
            command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
        return subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return _run


def audit_rows(url: str, action: str, file_name: str) -> list[tuple]:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT result, object_type, object_id, details FROM audit_log"
            " WHERE action = %s AND object_id = %s ORDER BY id",
            (action, file_name),
        ).fetchall()


def cut_name_shapefile(folder: Path) -> Path:
    """A Shapefile whose field 建筑名称 was cut to 10 bytes, mid-character, as ArcGIS does."""
    folder.mkdir()
    frame = gpd.GeoDataFrame(
        {"NAMEXXXXXX": ["福田一号楼", "福田二号楼"], "floors": [5, 7]},
        geometry=[
            box(114.0010, 22.5310, 114.0012, 22.5312),
            box(114.0030, 22.5310, 114.0032, 22.5312),
        ],
        crs=4326,
    )
    path = folder / "楼栋普查.shp"
    frame.to_file(path, encoding="UTF-8")
    dbf = path.with_suffix(".dbf")
    data = dbf.read_bytes()
    cut = "建筑名称".encode()[:10]
    assert cut[-1:] == b"\xe7"  # the first byte of 称, alone
    dbf.write_bytes(data.replace(b"NAMEXXXXXX", cut, 1))
    return path


def test_a_shapefile_with_a_chinese_field_name_cut_mid_character_loads(blockgrid, cli_db, tmp_path):
    path = cut_name_shapefile(tmp_path / "shp")
    done = blockgrid("import", "buildings", path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "cut mid-character" in done.stderr and "'建筑名'" in done.stderr
    assert "2 read" in done.stderr and "2 inserted" in done.stderr
    with psycopg.connect(cli_db) as connection:
        stored = connection.execute(
            "SELECT name, floors, grid_code FROM buildings WHERE source = %s ORDER BY name",
            ("楼栋普查",),
        ).fetchall()
    assert stored == [
        ("福田一号楼", 5, "44030400100101"),
        ("福田二号楼", 7, "44030400100101"),
    ]
    [(result, object_type, object_id, details)] = audit_rows(
        cli_db, "import.buildings", "楼栋普查.shp"
    )
    assert (result, object_type, object_id) == ("success", "file", "楼栋普查.shp")
    assert details["by"] == "cli" and details["operator"] == getpass.getuser()
    assert (details["read"], details["inserted"], details["rejected"]) == (2, 2, 0)


def test_a_csv_without_geometry_is_refused_as_buildings(blockgrid, cli_db, tmp_path):
    path = tmp_path / "楼栋清单.csv"
    path.write_text("id,name,floors\n1,一号楼,5\n2,二号楼,6\n", encoding="utf-8")
    done = blockgrid("import", "buildings", path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert_one_line_error(done, "楼栋清单.csv has no geometry", "column named WKT")
    assert done.stderr.count("nothing was imported") == 1
    assert audit_rows(cli_db, "import.buildings", path.name) == []


def test_a_csv_that_is_not_utf8_is_refused_in_one_line(blockgrid, tmp_path):
    path = tmp_path / "楼栋.csv"
    polygon = "POLYGON((114.005 22.535,114.0052 22.535,114.0052 22.5352,114.005 22.535))"
    path.write_bytes(f'id,名称,WKT\nw9,九号楼,"{polygon}"\n'.encode("gbk"))
    done = blockgrid("import", "buildings", path)
    assert_one_line_error(done, "楼栋.csv holds text that is not UTF-8", "save it as UTF-8")


def test_a_csv_with_a_wkt_column_loads_as_buildings(blockgrid, cli_db, tmp_path):
    path = tmp_path / "wkt楼栋.csv"
    polygon = (
        "POLYGON((114.005 22.535,114.0052 22.535,114.0052 22.5352,114.005 22.5352,114.005 22.535))"
    )
    path.write_text(f'id,name,WKT\nw1,三号楼,"{polygon}"\n', encoding="utf-8")
    done = blockgrid("import", "buildings", path)
    assert done.returncode == 0, done.stderr
    assert "1 inserted" in done.stderr


def test_a_file_whose_features_are_all_rejected_fails(blockgrid, cli_db, tmp_path):
    path = tmp_path / "far.geojson"
    gpd.GeoDataFrame(geometry=[box(114.5, 22.7, 114.5002, 22.7002)], crs=4326).to_file(path)
    done = blockgrid("import", "buildings", path)
    assert done.returncode == 1
    assert "every feature was rejected" in done.stderr
    [(result, *_)] = audit_rows(cli_db, "import.buildings", "far.geojson")
    assert result == "failure"


def test_a_hotline_import_is_audited(blockgrid, cli_db, tmp_path):
    path = tmp_path / "12345工单.csv"
    path.write_text(HOTLINE, encoding="utf-8")
    done = blockgrid("import", "events", path)
    assert done.returncode == 0, done.stderr
    assert "2 rows: 2 imported" in done.stderr
    [(result, object_type, object_id, details)] = audit_rows(
        cli_db, "import.events", "12345工单.csv"
    )
    assert (result, object_type, object_id) == ("success", "file", "12345工单.csv")
    assert details == {
        "by": "cli",
        "operator": getpass.getuser(),
        "rows": 2,
        "imported": 2,
        "skipped_existing": 0,
        "rejected": 0,
    }


def assert_one_line_error(done: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    for text in expected:
        assert text in line, line


def test_an_unreachable_database_is_one_line(blockgrid, tmp_path):
    path = tmp_path / "12345工单.csv"
    path.write_text(HOTLINE, encoding="utf-8")
    port = free_port()  # nothing listens there
    done = blockgrid(
        "import", "events", path, env={"DATABASE_URL": f"postgresql://u:p@127.0.0.1:{port}/x"}
    )
    assert_one_line_error(done, f"127.0.0.1:{port}", "Connection refused")


def test_an_unwritable_var_dir_is_one_line(blockgrid, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    var = locked / "var"
    env = {"DATABASE_URL": "", "BLOCKGRID_VAR_DIR": str(var)}
    done = blockgrid("db", "up", env=env, unprivileged=True)
    assert_one_line_error(done, f"{var}: Permission denied")
    assert not var.exists()


def test_an_unreadable_shapefile_part_is_one_line(blockgrid, cli_db, tmp_path):
    path = cut_name_shapefile(tmp_path / "shp")
    dbf = path.with_suffix(".dbf")
    dbf.chmod(0)
    audited = len(audit_rows(cli_db, "import.buildings", path.name))
    done = blockgrid("import", "buildings", path, unprivileged=True)
    assert_one_line_error(done, f"{dbf}: Permission denied")
    assert len(audit_rows(cli_db, "import.buildings", path.name)) == audited
