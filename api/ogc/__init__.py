"""OGC API – Features (Core, GeoJSON, OpenAPI 3.0) under ``/ogc``: the map layers as collections."""
