"""Shapefile field names cut mid-character; layers without geometry (gis.dbf, gis.footprints)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from gis.dbf import cut_field_names, readable_shapefile
from gis.footprints import FootprintError, read_footprints

FIELDS = {"NAMEXXXXXX": "建筑名称", "ADDRXXXXXX": "门牌地址", "USEXXXXXXX": "建筑用途"}


def cut_names_shapefile(folder: Path, fields: dict[str, str] = FIELDS) -> Path:
    """A Shapefile whose Chinese field names were cut at 10 bytes, as DBF writers do."""
    folder.mkdir(exist_ok=True)
    frame = gpd.GeoDataFrame(
        {
            "NAMEXXXXXX": ["福田一号楼", "福田二号楼"],
            "ADDRXXXXXX": ["福华路1号", "福华路2号"],
            "USEXXXXXXX": ["住宅", "商业"],
        },
        geometry=[box(114.001, 22.531, 114.0012, 22.5312), box(114.003, 22.531, 114.0032, 22.5312)],
        crs=4326,
    )
    path = folder / "楼栋.shp"
    frame.to_file(path, encoding="UTF-8")
    dbf = path.with_suffix(".dbf")
    data = dbf.read_bytes()
    for placeholder, name in fields.items():
        data = data.replace(placeholder.encode(), name.encode()[:10], 1)
    dbf.write_bytes(data)
    return path


def test_names_cut_mid_character_end_at_their_last_whole_character():
    header = bytearray(b"\x00" * 32)
    for name in (b"id", "建筑名称".encode()[:10], "建筑名字".encode()[:10], "层数".encode()):
        header += name.ljust(11, b"\x00") + b"C" + b"\x00" * 20
    header += b"\r"
    fixed = cut_field_names(bytes(header))
    assert {offset: name.decode() for offset, name in fixed.items()} == {
        64: "建筑名",
        96: "建筑_2",  # 建筑名 is taken: still unique, still whole characters
    }


def test_a_shapefile_with_cut_names_is_read_with_its_values_and_a_note(tmp_path):
    path = cut_names_shapefile(tmp_path / "shp")
    footprints = read_footprints(path)
    assert footprints.read == 2 and footprints.rejects == []
    assert footprints.name.to_pylist() == ["福田一号楼", "福田二号楼"]
    assert footprints.address.to_pylist() == ["福华路1号", "福华路2号"]
    assert footprints.use_type.to_pylist() == ["residential", "commercial"]
    assert [note.split(":")[-1].strip() for note in footprints.notes] == [
        "read as '建筑名'",
        "read as '门牌地'",
        "read as '建筑用'",
    ]
    assert all("cut mid-character" in note for note in footprints.notes)


def test_the_original_files_are_left_as_they_were(tmp_path):
    path = cut_names_shapefile(tmp_path / "shp")
    before = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    with readable_shapefile(path) as (readable, notes):
        assert readable != path and readable.name == path.name and len(notes) == 3
    assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == before
    assert not readable.parent.exists()  # the temporary copy is gone


def test_a_shapefile_with_whole_names_is_read_in_place(tmp_path):
    path = cut_names_shapefile(tmp_path / "shp", fields={})
    with readable_shapefile(path) as (readable, notes):
        assert (readable, notes) == (path, [])


def test_a_csv_without_geometry_is_refused_with_how_to_give_one(tmp_path):
    path = tmp_path / "楼栋清单.csv"
    path.write_text("id,name,floors\n1,一号楼,5\n", encoding="utf-8")
    with pytest.raises(FootprintError, match=r"楼栋清单.csv has no geometry.*column named WKT"):
        read_footprints(path)


def test_a_file_that_is_not_utf8_is_refused_with_how_to_fix_it(tmp_path):
    path = tmp_path / "楼栋.csv"
    polygon = "POLYGON((114.001 22.531,114.0012 22.531,114.0012 22.5312,114.001 22.531))"
    path.write_bytes(f'id,名称,WKT\n1,一号楼,"{polygon}"\n'.encode("gbk"))
    with pytest.raises(FootprintError, match=r"楼栋.csv holds text that is not UTF-8.*GBK"):
        read_footprints(path)
