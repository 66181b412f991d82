"""The OpenAPI 3.0 definition of the OGC part (``/ogc/api``, the landing page's service-desc).

``/openapi.json`` is FastAPI's OpenAPI 3.1 document of the whole service; OGC API – Features
Part 1 (conformance class oas30) and its clients (GDAL, QGIS, OWSLib) expect 3.0, so this
document is written in 3.0 for the ``/ogc`` routes. Its ``limit`` declares the page
maximum that GDAL 3.8+ and QGIS take as their page size.
"""

from __future__ import annotations

from typing import Any

from api.errors import ERROR_DESCRIPTIONS
from api.ogc import openapi as oas

OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
_JSON, _GEOJSON = "application/json", "application/geo+json"


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _ok(description: str, media_type: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {media_type: {"schema": _ref("schemas", schema)}},
    }


def _operation(
    operation_id: str,
    summary: str,
    parameters: list[str],
    ok: dict[str, Any],
    errors: tuple[int, ...],
    *,
    public: bool = False,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": ["Capabilities" if public else "Data"],
        "parameters": [_ref("parameters", name) for name in parameters],
        "responses": {"200": ok, **{str(s): _ref("responses", str(s)) for s in errors}},
    }
    if public:
        operation["security"] = []
    return {"get": operation}


def _paths() -> dict[str, Any]:
    data_errors = (400, 401, 403, 404)
    return {
        "/": _operation(
            "getLandingPage",
            "Landing page",
            ["f"],
            _ok("Links to the API definition, conformance and collections", _JSON, "landingPage"),
            (400,),
            public=True,
        ),
        "/conformance": _operation(
            "getConformanceDeclaration",
            "Conformance classes implemented",
            ["f"],
            _ok("The conformance classes", _JSON, "confClasses"),
            (400,),
            public=True,
        ),
        "/api": _operation(
            "getAPIDefinition",
            "This document (OpenAPI 3.0)",
            [],
            {"description": "The API definition", "content": {OPENAPI_30: {}}},
            (),
            public=True,
        ),
        "/collections": _operation(
            "getCollections",
            "The collections (map layers) with the caller's area as extent",
            ["f"],
            _ok("The collections", _JSON, "collections"),
            data_errors,
        ),
        "/collections/{collectionId}": _operation(
            "describeCollection",
            "One collection with the extent of the features the caller can see",
            ["collectionId", "f"],
            _ok("The collection", _JSON, "collection"),
            data_errors,
        ),
        "/collections/{collectionId}/items": _operation(
            "getFeatures",
            "Features of the collection within the caller's area, paged",
            ["collectionId", "bbox", "bbox-crs", "datetime", "limit", "offset", "crs", "fFeatures"],
            _ok("A page of features", _GEOJSON, "featureCollectionGeoJSON"),
            data_errors,
        ),
        "/collections/{collectionId}/items/{featureId}": _operation(
            "getFeature",
            "One feature, if it lies within the caller's area",
            ["collectionId", "featureId", "fFeatures"],
            _ok("The feature", _GEOJSON, "featureGeoJSON"),
            data_errors,
        ),
    }


def _parameters(collection_ids: list[str]) -> dict[str, Any]:
    return {
        "collectionId": {
            "name": "collectionId",
            "in": "path",
            "required": True,
            "description": "The collection (map layer)",
            "schema": {"type": "string", "enum": collection_ids},
        },
        "featureId": {
            "name": "featureId",
            "in": "path",
            "required": True,
            "description": "The feature's id (a code or a number)",
            "schema": {"type": "string"},
        },
        "bbox": oas.BBOX,
        "bbox-crs": oas.BBOX_CRS,
        "datetime": oas.DATETIME,
        "limit": oas.LIMIT,
        "offset": oas.OFFSET,
        "crs": oas.CRS,
        "f": oas.FORMAT,
        "fFeatures": oas.FEATURE_FORMAT,
    }


_LINK = {
    "type": "object",
    "required": ["href", "rel"],
    "properties": {
        "href": {"type": "string"},
        "rel": {"type": "string"},
        "type": {"type": "string"},
        "title": {"type": "string"},
    },
}
_LINKS = {"type": "array", "items": _ref("schemas", "link")}
_BBOX = {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}
_INTERVAL = {
    "type": "array",
    "minItems": 2,
    "maxItems": 2,
    "items": {"type": "string", "format": "date-time", "nullable": True},
}
_COLLECTION = {
    "type": "object",
    "required": ["id", "links"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "links": _LINKS,
        "extent": {
            "type": "object",
            "properties": {
                "spatial": {
                    "type": "object",
                    "properties": {
                        "bbox": {"type": "array", "items": _BBOX},
                        "crs": {"type": "string"},
                    },
                },
                "temporal": {
                    "type": "object",
                    "properties": {
                        "interval": {"type": "array", "items": _INTERVAL},
                        "trs": {"type": "string"},
                        "property": {"type": "string"},
                        "description": {"type": "string"},
                    },
                },
            },
        },
        "itemType": {"type": "string"},
        "crs": {"type": "array", "items": {"type": "string"}},
    },
}
_FEATURE = {
    "type": "object",
    "required": ["type", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        "geometry": {"type": "object", "nullable": True},
        "properties": {"type": "object", "nullable": True},
        "links": _LINKS,
    },
}
_SCHEMAS: dict[str, Any] = {
    "link": _LINK,
    "landingPage": {
        "type": "object",
        "required": ["links"],
        "properties": {
            "title": {"type": "string"},
            "description": {"type": "string"},
            "links": _LINKS,
        },
    },
    "confClasses": {
        "type": "object",
        "required": ["conformsTo"],
        "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
    },
    "collection": _COLLECTION,
    "collections": {
        "type": "object",
        "required": ["links", "collections"],
        "properties": {"links": _LINKS, "collections": {"type": "array", "items": _COLLECTION}},
    },
    "featureGeoJSON": _FEATURE,
    "featureCollectionGeoJSON": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": _ref("schemas", "featureGeoJSON")},
            "links": _LINKS,
            "timeStamp": {"type": "string", "format": "date-time"},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0},
        },
    },
    "exception": {
        "type": "object",
        "required": ["code", "message", "message_zh"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "message_zh": {"type": "string"},
            "details": {},
        },
    },
}


def api_definition(base: str, collection_ids: list[str]) -> dict[str, Any]:
    """The OpenAPI 3.0.3 document of ``/ogc``, its server URL taken from ``base``."""
    responses = {
        str(status): {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {_JSON: {"schema": _ref("schemas", "exception")}},
        }
        for status in (400, 401, 403, 404)
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "blockgrid 网格化管理 — OGC API Features",
            "version": "1.0.0",
            "description": "Grids, buildings, entities, components and events of the caller's"
            " area (OGC API – Features Part 1: Core, GeoJSON, OpenAPI 3.0). Collections and"
            " items need a bearer token from POST /auth/token.",
        },
        "servers": [{"url": f"{base}/ogc"}],
        "tags": [{"name": "Capabilities"}, {"name": "Data"}],
        "security": [{"bearerAuth": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "parameters": _parameters(collection_ids),
            "schemas": _SCHEMAS,
            "responses": responses,
        },
    }
