"""SQL building from the layer registry: the OGC filter, values only as parameters."""

from __future__ import annotations

import pytest

from api.maps.layers import LAYERS
from api.ogc.params import BBox
from api.ogc.sql import count_sql, item_sql, items_sql, layer_filter, temporal_extent_sql


@pytest.mark.parametrize(
    ("layer", "expected"),
    [
        ("grids", "t.level = 'grid'"),
        ("entities", "t.status = 'active'"),  # ogc_where: the tile filter has $ parameters
        ("events", "t.status <> 'rejected'"),
        ("buildings", ""),
    ],
)
def test_layer_filter_has_no_tile_parameters(layer, expected):
    assert layer_filter(LAYERS[layer]) == expected


def test_items_sql_binds_bbox_limit_and_offset():
    query, args = items_sql(LAYERS["grids"], BBox(114.0, 22.5, 114.1, 22.6))
    assert args == [114.0, 22.5, 114.1, 22.6]
    assert "ST_MakeEnvelope($1, $2, $3, $4, 4326)" in query
    assert "t.geom && ST_MakeEnvelope" in query and "ST_Intersects(t.geom" in query
    assert query.endswith("ORDER BY t.code LIMIT $5 OFFSET $6")
    assert "ST_AsGeoJSON(t.geom, 7)" in query
    assert "114" not in query


def test_without_bbox_limit_and_offset_are_the_first_parameters():
    query, args = items_sql(LAYERS["buildings"], None)
    assert args == [] and query.endswith("ORDER BY t.code LIMIT $1 OFFSET $2")
    assert "$" not in count_sql(LAYERS["buildings"], None)[0]
    for layer in LAYERS.values():
        assert "ST_TileEnvelope" not in item_sql(layer)
        assert item_sql(layer).endswith(f"{layer.id_column} = $1")


def test_the_events_time_extent_reads_the_events_table_alone():
    # min/max(reported_at) over the join with event_categories scanned every event (55 ms
    # at the demo's 750k); on the table alone PostgreSQL reads both ends of its index
    query = temporal_extent_sql(LAYERS["events"])
    assert query == (
        "SELECT min(t.reported_at), max(t.reported_at) FROM events t"
        " WHERE t.geom IS NOT NULL AND (t.status <> 'rejected')"
    )
    assert temporal_extent_sql(LAYERS["buildings"]) is None
