"""How the OGC query parameters appear in ``/openapi.json`` (as OGC API – Features Part 1
declares them), while the views read the raw strings so bad values answer 400 with a reason.
"""

from __future__ import annotations

from typing import Any

from api.ogc.params import DEFAULT_LIMIT, FORMATS, GEOJSON_FORMATS, MAX_LIMIT


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
ITEMS = [
    _query(
        "bbox",
        "min_lon,min_lat,max_lon,max_lat in CRS84 (longitude first)",
        {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
    ),
    _query(
        "limit",
        "Features per page",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    ),
    _query(
        "offset",
        "Features to skip; follow the next link rather than computing it",
        {"type": "integer", "minimum": 0, "default": 0},
    ),
    FEATURE_FORMAT,
]
GEOJSON_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"description": "GeoJSON", "content": {"application/geo+json": {}}},
}


def with_parameters(*parameters: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` of a route: the given parameters added to the operation."""
    return {"parameters": list(parameters)}
