"""How the OGC query parameters appear in ``/openapi.json`` (as OGC API – Features Part 1
declares them), while the views read the raw strings so bad values answer 400 with a reason.
"""

from __future__ import annotations

from typing import Any

from api.ogc.params import CRS84, DEFAULT_LIMIT, FORMATS, GEOJSON_FORMATS, MAX_LIMIT


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": description,
        "schema": schema,
    }


FORMAT = _query("f", "Output format", {"type": "string", "enum": list(FORMATS)})
FEATURE_FORMAT = _query(
    "f", "Output format (json: GeoJSON)", {"type": "string", "enum": list(GEOJSON_FORMATS)}
)
BBOX = _query(
    "bbox",
    "Only features whose geometry intersects the box: min_lon,min_lat,max_lon,max_lat in"
    " CRS84 (longitude first)",
    {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
)
BBOX_CRS = _query(
    "bbox-crs",
    "The CRS of bbox; only CRS84 is served",
    {"type": "string", "format": "uri", "enum": [CRS84]},
)
CRS = _query(
    "crs",
    "The CRS of the geometries returned; only CRS84 is served",
    {"type": "string", "format": "uri", "enum": [CRS84]},
)
DATETIME = _query(
    "datetime",
    "Only features whose temporal property intersects the value: an RFC 3339 instant"
    " (2026-03-01T08:00:00+08:00) or an interval start/end, open with '..' or nothing"
    " (2026-03-01T00:00:00Z/.., ../2026-03-31T23:59:59+08:00). events filter on"
    " reported_at; collections without a temporal property return no features.",
    {"type": "string"},
)
LIMIT = _query(
    "limit",
    f"Features per page, {DEFAULT_LIMIT} by default; values above {MAX_LIMIT} are capped at"
    f" {MAX_LIMIT} (the self link shows the limit applied); next links ask for {MAX_LIMIT}",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
)
OFFSET = _query(
    "offset",
    "Features to skip; follow the next link rather than computing it",
    {"type": "integer", "minimum": 0, "default": 0},
)
# In /openapi.json the limit has no maximum: larger values are accepted (and capped), so a
# schema-driven client or fuzzer sending 5000 is not "wrong". The OGC definition (/ogc/api)
# keeps the maximum, where GDAL (3.8+) and QGIS read their page size from it.
ACCEPTED_LIMIT = {**LIMIT, "schema": {k: v for k, v in LIMIT["schema"].items() if k != "maximum"}}
ITEMS = [BBOX, BBOX_CRS, DATETIME, ACCEPTED_LIMIT, OFFSET, CRS, FEATURE_FORMAT]
GEOJSON_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"description": "GeoJSON", "content": {"application/geo+json": {}}},
}


def with_parameters(*parameters: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` of a route: the given parameters added to the operation."""
    return {"parameters": list(parameters)}
