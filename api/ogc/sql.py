"""SQL of the OGC collections, built from the layer registry (``api.maps.layers``).

Identifiers and expressions come only from the registry; every value (bbox, limit,
offset, feature id) is a bind parameter ``$n``. Features are serialised to GeoJSON in
PostGIS (``ST_AsGeoJSON(geom, 7)``) so Python only joins ready-made text.
"""

from __future__ import annotations

import re

from api.maps.layers import Layer
from api.ogc.params import BBox
from api.ogc.temporal import TEMPORAL_PROPERTIES, Interval

_PROPERTY = re.compile(r"^[a-z_][a-z0-9_]*$")


def layer_filter(layer: Layer) -> str:
    """The layer's own filter for OGC: ``ogc_where`` when the tile filter needs tile
    parameters, else the tile ``where``."""
    return layer.ogc_where if layer.ogc_where is not None else layer.spec.where


def _conditions(
    layer: Layer, bbox: BBox | None, interval: Interval | None = None
) -> tuple[list[str], list[object]]:
    """The WHERE conditions and their values, numbered ``$1``, ``$2``... in order."""
    conditions = [f"{layer.geom_4326} IS NOT NULL"]
    if own := layer_filter(layer):
        conditions.append(f"({own})")
    args: list[object] = []
    if bbox is not None:
        envelope = "ST_MakeEnvelope($1, $2, $3, $4, 4326)"
        conditions.append(f"{layer.geom_4326} && {envelope}")
        conditions.append(f"ST_Intersects({layer.geom_4326}, {envelope})")
        args.extend(bbox.as_tuple())
    if interval is not None:
        conditions.extend(_temporal_conditions(layer, interval, args))
    return conditions, args


def _temporal_conditions(layer: Layer, period: Interval, args: list[object]) -> list[str]:
    """``datetime``: the temporal property intersects the instant or interval. Features
    without a temporal property all match (Part 1, /req/core/fc-time-response C)."""
    temporal = TEMPORAL_PROPERTIES.get(layer.id)
    if temporal is None:
        return []
    column = temporal.column
    if period.is_instant:
        args.append(period.start)
        return [f"{column} = ${len(args)}"]
    conditions = []
    if period.start is not None:
        args.append(period.start)
        conditions.append(f"{column} >= ${len(args)}")
    if period.end is not None:
        args.append(period.end)
        conditions.append(f"{column} <= ${len(args)}")
    return conditions


def _feature(layer: Layer) -> str:
    pairs = []
    for name, expression in layer.spec.properties.items():
        if not _PROPERTY.match(name):
            raise ValueError(f"layer {layer.id}: property name {name!r} is not an identifier")
        pairs.append(f"'{name}', {expression}")
    return (
        "json_build_object('type', 'Feature', 'id', {id}, 'geometry',"
        " ST_AsGeoJSON({geom}, 7)::json, 'properties', json_build_object({props}))::text"
    ).format(id=layer.id_column, geom=layer.geom_4326, props=", ".join(pairs))


def items_sql(
    layer: Layer, bbox: BBox | None, interval: Interval | None = None
) -> tuple[str, list[object]]:
    """One page of features as GeoJSON text; the last two parameters are limit and offset."""
    conditions, args = _conditions(layer, bbox, interval)
    n = len(args)
    sql = (
        f"SELECT {_feature(layer)} FROM {layer.spec.source}"
        f" WHERE {' AND '.join(conditions)}"
        f" ORDER BY {layer.id_column} LIMIT ${n + 1} OFFSET ${n + 2}"
    )
    return sql, args


def count_sql(
    layer: Layer, bbox: BBox | None, interval: Interval | None = None
) -> tuple[str, list[object]]:
    """How many visible features match (``numberMatched``)."""
    conditions, args = _conditions(layer, bbox, interval)
    sql = f"SELECT count(*) FROM {layer.spec.source} WHERE {' AND '.join(conditions)}"
    return sql, args


def item_sql(layer: Layer) -> str:
    """One feature by id (``$1``), or no row when it does not exist or is out of scope."""
    conditions, _ = _conditions(layer, None)
    return (
        f"SELECT {_feature(layer)} FROM {layer.spec.source}"
        f" WHERE {' AND '.join(conditions)} AND {layer.id_column} = $1"
    )


def extent_sql(layer: Layer) -> str:
    """The bbox (xmin, ymin, xmax, ymax) of the features the caller can see."""
    conditions, _ = _conditions(layer, None)
    return (
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM"
        f" (SELECT ST_Extent({layer.geom_4326}) AS e FROM {layer.spec.source}"
        f" WHERE {' AND '.join(conditions)}) AS x"
    )


def temporal_extent_sql(layer: Layer) -> str | None:
    """The first and last time (UTC) of the features the caller can see, or ``None``
    when the collection has no temporal property."""
    temporal = TEMPORAL_PROPERTIES.get(layer.id)
    if temporal is None:
        return None
    conditions, _ = _conditions(layer, None)
    column = temporal.column
    return (
        f"SELECT min({column}), max({column}) FROM {temporal.table}"
        f" WHERE {' AND '.join(conditions)}"
    )
