"""SQL of the OGC collections, built from the layer registry (``api.maps.layers``).

Identifiers and expressions come only from the registry; every value (bbox, limit,
offset, feature id) is a bind parameter ``$n``. Features are serialised to GeoJSON in
PostGIS (``ST_AsGeoJSON(geom, 7)``) so Python only joins ready-made text.
"""

from __future__ import annotations

import re

from api.maps.layers import Layer
from api.ogc.params import BBox

_PROPERTY = re.compile(r"^[a-z_][a-z0-9_]*$")


def layer_filter(layer: Layer) -> str:
    """The layer's own filter for OGC: ``ogc_where`` when the tile filter needs tile
    parameters, else the tile ``where``."""
    return layer.ogc_where if layer.ogc_where is not None else layer.spec.where


def _conditions(layer: Layer, bbox: BBox | None, first: int) -> tuple[list[str], list[float]]:
    conditions = [f"{layer.geom_4326} IS NOT NULL"]
    if own := layer_filter(layer):
        conditions.append(f"({own})")
    if bbox is None:
        return conditions, []
    envelope = f"ST_MakeEnvelope(${first}, ${first + 1}, ${first + 2}, ${first + 3}, 4326)"
    conditions.append(f"{layer.geom_4326} && {envelope}")
    conditions.append(f"ST_Intersects({layer.geom_4326}, {envelope})")
    return conditions, list(bbox.as_tuple())


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


def items_sql(layer: Layer, bbox: BBox | None) -> tuple[str, list[float]]:
    """One page of features as GeoJSON text; the last two parameters are limit and offset."""
    conditions, args = _conditions(layer, bbox, 1)
    n = len(args)
    sql = (
        f"SELECT {_feature(layer)} FROM {layer.spec.source}"
        f" WHERE {' AND '.join(conditions)}"
        f" ORDER BY {layer.id_column} LIMIT ${n + 1} OFFSET ${n + 2}"
    )
    return sql, args


def count_sql(layer: Layer, bbox: BBox | None) -> tuple[str, list[float]]:
    """How many visible features match (``numberMatched``)."""
    conditions, args = _conditions(layer, bbox, 1)
    sql = f"SELECT count(*) FROM {layer.spec.source} WHERE {' AND '.join(conditions)}"
    return sql, args


def item_sql(layer: Layer) -> str:
    """One feature by id (``$1``), or no row when it does not exist or is out of scope."""
    conditions, _ = _conditions(layer, None, 1)
    return (
        f"SELECT {_feature(layer)} FROM {layer.spec.source}"
        f" WHERE {' AND '.join(conditions)} AND {layer.id_column} = $1"
    )


def extent_sql(layer: Layer) -> str:
    """The bbox (xmin, ymin, xmax, ymax) of the features the caller can see."""
    conditions, _ = _conditions(layer, None, 1)
    return (
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM"
        f" (SELECT ST_Extent({layer.geom_4326}) AS e FROM {layer.spec.source}"
        f" WHERE {' AND '.join(conditions)}) AS x"
    )
