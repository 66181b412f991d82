"""Binary COPY encoding with Arrow and WKB handled as bytes (no database)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyproj
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box

from gis import pgcopy
from gis.wkb import (
    as_multipolygon_wkb,
    multipolygon_layout,
    read_vertices,
    reproject_multipolygon_wkb,
    wkb_array,
)
from grids.codes import digits

LON, LAT = 114.005, 22.535


def footprints() -> list[MultiPolygon]:
    """Simple, holed (both ring orientations) and multi-part footprints."""
    holed = Polygon(
        [(LON, LAT), (LON + 4e-4, LAT), (LON + 4e-4, LAT + 4e-4), (LON, LAT + 4e-4)],
        [
            [(LON + 1e-4, LAT + 1e-4), (LON + 2e-4, LAT + 1e-4), (LON + 2e-4, LAT + 2e-4)],
            [(LON + 3e-4, LAT + 3e-4), (LON + 3.5e-4, LAT + 3e-4), (LON + 3.5e-4, LAT + 3.5e-4)],
        ],
    )
    return [
        MultiPolygon([box(LON, LAT, LON + 2e-4, LAT + 2e-4)]),
        MultiPolygon([holed]),
        MultiPolygon(
            [
                shapely.reverse(holed),
                box(LON + 1e-3, LAT, LON + 1.1e-3, LAT + 1e-4),
                Point(LON + 2e-3, LAT).buffer(1e-4),
            ]
        ),
    ] * 3


def little_endian_wkb(geometries) -> pa.BinaryArray:
    return wkb_array(
        shapely.to_wkb(np.asarray(geometries, dtype=object), byte_order=1, output_dimension=2)
    )


def test_rows_have_the_binary_copy_layout():
    """One row, byte by byte: field count, then length and big-endian value per field."""
    data = pgcopy.encode_rows(
        [
            pgcopy.int16_field([7]),
            pgcopy.int32_field([-2]),
            pgcopy.int64_field([1 << 40]),
            pgcopy.int32_field([5], null=[True]),
            pgcopy.text_field(["楼"]),
            pgcopy.date_field([pgcopy.PG_EPOCH_DAY + 1]),
            pgcopy.bool_field([True]),
        ]
    ).to_pybytes()
    assert data.hex(" ") == " ".join(
        [
            "00 07",  # seven fields
            "00 00 00 02 00 07",
            "00 00 00 04 ff ff ff fe",
            "00 00 00 08 00 00 01 00 00 00 00 00",
            "ff ff ff ff",  # NULL: length -1, no bytes
            "00 00 00 03 e6 a5 bc",
            "00 00 00 04 00 00 00 01",  # 2000-01-02 is day 1 of PostgreSQL's epoch
            "00 00 00 01 01",
        ]
    )
    with pytest.raises(ValueError, match="16, 32 or 64"):
        pgcopy.int_field([1], 8)


def test_geometries_from_shapely_equal_ewkb_from_wkb():
    geometries = np.asarray(footprints(), dtype=object)
    x, y = np.linspace(113.9, 114.1, 4), np.linspace(22.5, 22.6, 4)
    from_shapely = pgcopy.encode_rows([pgcopy.geometry_field(geometries, 4326)])
    from_wkb = pgcopy.encode_rows([pgcopy.ewkb_field(little_endian_wkb(geometries), 4326)])
    assert from_shapely.to_pybytes() == from_wkb.to_pybytes()
    points = pgcopy.encode_rows([pgcopy.point_field(x, y, 4326)])
    expected = shapely.to_wkb(
        shapely.set_srid(shapely.points(x, y), 4326), byte_order=1, include_srid=True
    )
    assert points.to_pybytes() == b"".join(
        b"\x00\x01" + len(e).to_bytes(4, "big") + e for e in expected
    )


def test_every_field_kind_round_trips_through_postgresql(database_url):
    import psycopg

    n = 4
    ids = np.array([3, 1 << 33, 5, 6])
    null = np.array([False, True, False, False])
    days = np.array([0, 19_700, -3_650, 20_400])  # 1970-01-01, 2023-12-09, 1960-01-04, ...
    micros = np.array([0, 1_700_000_000_123_456, -1, 86_400_000_000])
    blob = np.arange(n * 3, dtype=np.uint8).reshape(n, 3)
    fields = {
        "i2": ("smallint", pgcopy.int16_field([-32768, 0, 1, 32767])),
        "i4": ("integer", pgcopy.int32_field([7, 8, 9, 10], null=null)),
        "i8": ("bigint", pgcopy.int64_field(ids)),
        "f8": ("float8", pgcopy.float8_field([0.5, -1e300, 2.25, 0.0])),
        "b": ("boolean", pgcopy.bool_field([True, False, True, False], null=null)),
        "d": ("date", pgcopy.date_field(days)),
        "t": ("timestamptz", pgcopy.timestamptz_field(micros, null=micros < 0)),
        "m": ("numeric(12, 2)", pgcopy.numeric2_field([0, 1, 123_456_789, 9_999_999_999])),
        "code": ("text", pgcopy.ascii_field(digits([1, 22, 333, 4444], 4))),
        "bytes": ("bytea", pgcopy.bytea_field(blob, null=null)),
        "word": ("text", pgcopy.vocabulary_field(["甲", "乙"], [1, -1, 0, 1])),
        "tags": ("varchar[]", pgcopy.text_array_field([(), ("独居老人", "低保")], [0, 1, 1, 0])),
        "same": ("text", pgcopy.constant_field("demo", n)),
    }
    columns = ", ".join(f"{name} {kind}" for name, (kind, _) in fields.items())
    payload = pgcopy.encode_rows([field for _, field in fields.values()]).to_pybytes()
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
        cursor.execute(f"CREATE TEMPORARY TABLE copied ({columns})")
        with cursor.copy(f"COPY copied ({', '.join(fields)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(pgcopy.COPY_HEADER + payload + pgcopy.COPY_TRAILER)
        cursor.execute(
            "SELECT i2, i4, i8, f8, b, d::text, t::text, m::text, code, bytes, word, tags, same"
            " FROM copied"
        )
        rows = cursor.fetchall()
    assert rows == [
        (-32768, 7, 3, 0.5, True, "1970-01-01", "1970-01-01 00:00:00+00", "0.00", "0001",
         b"\x00\x01\x02", "乙", [], "demo"),
        (0, None, 1 << 33, -1e300, None, "2023-12-09", "2023-11-14 22:13:20.123456+00", "0.01",
         "0022", None, None, ["独居老人", "低保"], "demo"),
        (1, 9, 5, 2.25, True, "1960-01-04", None, "1234567.89", "0333",
         b"\x06\x07\x08", "甲", ["独居老人", "低保"], "demo"),
        (32767, 10, 6, 0.0, False, "2025-11-08", "1970-01-02 00:00:00+00", "99999999.99",
         "4444", b"\t\n\x0b", "乙", [], "demo"),
    ]  # fmt: skip


def test_value_offsets_point_at_each_rows_value():
    fields = [
        pgcopy.text_field(["a", None, "四个字节"]),
        pgcopy.int64_field([0, 0, 0], null=[False, True, False]),
        pgcopy.ascii_field(digits([1, 2, 3], 2)),
    ]
    data = pgcopy.encode_rows(fields).to_pybytes()
    ids, codes = pgcopy.value_offsets(fields, [1, 2])
    assert ids[1] == -1
    patched = bytearray(data)
    for at, value in zip(ids[[0, 2]], (41, 1 << 40), strict=True):
        patched[at : at + 8] = value.to_bytes(8, "big")
    expected = pgcopy.encode_rows(
        [fields[0], pgcopy.int64_field([41, 0, 1 << 40], null=[False, True, False]), fields[2]]
    )
    assert bytes(patched) == expected.to_pybytes()
    assert [data[at : at + 2] for at in codes] == [b"01", b"02", b"03"]


def test_an_empty_batch_and_unequal_columns():
    assert pgcopy.encode_rows([pgcopy.int32_field([])]).size == 0
    with pytest.raises(ValueError, match="unequal"):
        pgcopy.encode_rows([pgcopy.int32_field([1]), pgcopy.text_field(["a", "b"])])
    with pytest.raises(ValueError, match="vocabulary"):
        pgcopy.choice_field(("office",), ["spaceport"])


def test_polygons_are_wrapped_as_one_part_multipolygons():
    square, point = box(LON, LAT, LON + 1e-4, LAT + 1e-4), Point(LON, LAT)
    multi = MultiPolygon([square, box(LON + 1, LAT, LON + 1.1, LAT + 0.1)])
    big_endian = shapely.to_wkb(square, byte_order=0)
    wkb = wkb_array(
        [
            shapely.to_wkb(square, byte_order=1),
            shapely.to_wkb(point),
            None,
            shapely.to_wkb(multi, byte_order=1),
            big_endian,
        ]
    )
    wrapped = shapely.from_wkb(as_multipolygon_wkb(wkb).to_numpy(zero_copy_only=False))
    assert [g.geom_type if g is not None else None for g in wrapped] == [
        "MultiPolygon",
        "Point",
        None,
        "MultiPolygon",
        "Polygon",
    ]
    assert shapely.equals_exact(wrapped[0], MultiPolygon([square]), 0)
    assert shapely.equals_exact(wrapped[3], multi, 0)


def test_layout_reads_every_vertex_in_wkb_order():
    geometries = footprints()
    wkb = little_endian_wkb(geometries)
    layout = multipolygon_layout(wkb)
    x, y = read_vertices(wkb, layout)
    np.testing.assert_array_equal(np.column_stack([x, y]), shapely.get_coordinates(geometries))
    rings = [ring for g in geometries for p in g.geoms for ring in (p.exterior, *p.interiors)]
    assert layout.ring_size.tolist() == [len(ring.coords) for ring in rings]
    assert layout.ring_shell.tolist() == [
        k == 0 for g in geometries for p in g.geoms for k in range(1 + len(p.interiors))
    ]
    with pytest.raises(ValueError, match="MultiPolygon"):
        multipolygon_layout(wkb_array([shapely.to_wkb(box(0, 0, 1, 1), byte_order=1)]))


def test_web_mercator_copy_matches_pyproj_on_geometries():
    geometries = np.asarray(footprints(), dtype=object)
    transform = pyproj.Transformer.from_crs(4326, 3857, always_xy=True).transform
    moved = reproject_multipolygon_wkb(little_endian_wkb(geometries), transform)
    expected = shapely.transform(geometries, lambda xy: np.column_stack(transform(*xy.T)))
    assert moved.to_pylist() == shapely.to_wkb(expected, byte_order=1, output_dimension=2).tolist()
    sliced = little_endian_wkb(geometries).slice(2, 4)  # an Arrow slice keeps its offset
    assert reproject_multipolygon_wkb(sliced, transform).to_pylist() == moved.to_pylist()[2:6]


def test_float8_rows_are_read_back_from_a_binary_copy(database_url):
    import psycopg

    query = (
        "COPY (SELECT x / 7.0::float8, -x * 1e-3::float8 FROM generate_series(1, 5) x)"
        " TO STDOUT (FORMAT BINARY)"
    )
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        with cursor.copy(query) as copy:
            data = b"".join(bytes(block) for block in copy)
        with cursor.copy(
            "COPY (SELECT 1.5::float8, NULL::float8) TO STDOUT (FORMAT BINARY)"
        ) as copy:
            with_null = b"".join(bytes(block) for block in copy)
    rows = pgcopy.decode_float8_rows(data, 2)
    x = np.arange(1, 6)
    assert rows.shape == (5, 2)
    assert np.array_equal(rows, np.column_stack([x / 7.0, -x * 1e-3]))
    with pytest.raises(ValueError, match="non-null float8"):
        pgcopy.decode_float8_rows(with_null, 2)
    with pytest.raises(ValueError, match="not a binary COPY"):
        pgcopy.decode_float8_rows(b"x,y\n", 2)


def test_null_geometries_are_sql_nulls_wherever_they_stand():
    from shapely import Point

    from gis.pgcopy import geometry_field

    for geometries in ([Point(1, 2), None], [None, Point(1, 2)], [None, None]):
        values = geometry_field(geometries, 4326).values.to_pylist()
        assert [v is None for v in values] == [g is None for g in geometries]
        for value, geometry in zip(values, geometries, strict=True):
            if geometry is not None:  # EWKB: little-endian point with the SRID flag and 4326
                assert value[:9] == b"\x01\x01\x00\x00\x20\xe6\x10\x00\x00"
