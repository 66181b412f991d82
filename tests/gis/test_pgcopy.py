"""Binary COPY encoding with Arrow and WKB handled as bytes (no database)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyproj
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box

from democity import copy as demo_copy
from democity.columns import VarBytes, digits
from gis import pgcopy
from gis.wkb import (
    as_multipolygon_wkb,
    multipolygon_layout,
    read_vertices,
    reproject_multipolygon_wkb,
    wkb_array,
)

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


def test_rows_are_byte_identical_to_the_numpy_encoder():
    geometries = np.asarray(footprints(), dtype=object)
    n = len(geometries)
    names = np.array([None if i % 4 == 0 else f"楼{i}号" for i in range(n)], dtype=object)
    years = np.array([0, 1998, 2005] * (n // 3), dtype=np.int16)
    x, y = np.linspace(113.9, 114.1, n), np.linspace(22.5, 22.6, n)
    codes = np.concatenate(
        [
            np.frombuffer(b"44030400100101" * n, np.uint8).reshape(n, 14),
            digits(np.arange(n) + 1, 5),
        ],
        axis=1,
    )
    expected = demo_copy.encode_rows(
        [
            demo_copy.text_field(VarBytes.from_fixed(codes)),
            demo_copy.int_field(np.arange(n), 16),
            demo_copy.text_field(VarBytes.from_strings(names.tolist())),
            demo_copy.geometry_field(geometries, 4326),
            demo_copy.int_field(years, 16, null=years == 0),
            demo_copy.geometry_field(shapely.points(x, y), 4326),
            demo_copy.text_field(VarBytes.constant("bench", n)),
            demo_copy.text_field(VarBytes.from_strings(["office"] * n)),
        ]
    )
    encoded = pgcopy.encode_rows(
        [
            pgcopy.ascii_field(codes),
            pgcopy.int_field(np.arange(n), 16),
            pgcopy.text_field(names),
            pgcopy.ewkb_field(little_endian_wkb(geometries), 4326),
            pgcopy.int_field(years, 16, null=years == 0),
            pgcopy.point_field(x, y, 4326),
            pgcopy.constant_field("bench", n),
            pgcopy.choice_field(("other", "office"), ["office"] * n),
        ]
    )
    assert encoded.to_pybytes() == expected


def test_an_empty_batch_and_unequal_columns():
    assert pgcopy.encode_rows([pgcopy.int_field([], 32)]).size == 0
    with pytest.raises(ValueError, match="unequal"):
        pgcopy.encode_rows([pgcopy.int_field([1], 32), pgcopy.text_field(["a", "b"])])
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
