"""Building the OGC documents and their links from the layer registry (no database, no HTTP)."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import quote, urlencode

from api.maps.layers import Layer
from api.ogc.params import MAX_LIMIT, Query
from api.ogc.schemas import (
    Collection,
    Collections,
    Conformance,
    Extent,
    LandingPage,
    Link,
    SpatialExtent,
    TemporalExtent,
)
from api.ogc.temporal import TEMPORAL_PROPERTIES

Times = tuple[dt.datetime | None, dt.datetime | None] | None

JSON, GEOJSON = "application/json", "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE_CLASSES = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]


def landing_page(base: str) -> LandingPage:
    ogc = f"{base}/ogc"
    return LandingPage(
        title="blockgrid 网格化管理 — OGC API Features",
        description="Grids, buildings, entities, components and events of the caller's area"
        " (数据按账号管辖范围过滤; collections require a bearer token)",
        links=[
            Link(href=ogc, rel="self", type=JSON, title="This document"),
            Link(
                href=f"{ogc}/api",
                rel="service-desc",
                type=OPENAPI,
                title="The API definition (OpenAPI 3.0)",
            ),
            Link(
                href=f"{base}/docs",
                rel="service-doc",
                type="text/html",
                title="The API documentation",
            ),
            Link(
                href=f"{ogc}/conformance",
                rel="conformance",
                type=JSON,
                title="Conformance classes implemented",
            ),
            Link(
                href=f"{ogc}/collections",
                rel="data",
                type=JSON,
                title="The collections (map layers)",
            ),
        ],
    )


def conformance() -> Conformance:
    return Conformance(conforms_to=CONFORMANCE_CLASSES)


def _timestamp(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _temporal(layer: Layer, times: Times) -> TemporalExtent | None:
    temporal = TEMPORAL_PROPERTIES.get(layer.id)
    if temporal is None or times is None:
        return None
    name = temporal.name
    return TemporalExtent(
        interval=[[_timestamp(times[0]), _timestamp(times[1])]],
        property=name,
        description=f"datetime filters on {name} (上报时间), the time the case was reported",
    )


def collection(
    layer: Layer, base: str, extent: tuple[float, ...] | None, times: Times = None
) -> Collection:
    """One collection: ``times`` is its temporal extent when it has a temporal property."""
    href = f"{base}/ogc/collections/{layer.id}"
    spatial = SpatialExtent(bbox=[list(extent)]) if extent else None
    temporal = _temporal(layer, times)
    return Collection(
        id=layer.id,
        title=layer.title_zh,
        description=f"{layer.title_en}: {layer.description} ({layer.geometry_type})",
        links=[
            Link(href=href, rel="self", type=JSON, title=layer.title_en),
            Link(
                href=f"{href}/items",
                rel="items",
                type=GEOJSON,
                title=f"{layer.title_en} as GeoJSON",
            ),
        ],
        extent=Extent(spatial=spatial, temporal=temporal) if spatial or temporal else None,
    )


def collections(
    layers: list[Layer],
    base: str,
    extent: tuple[float, ...] | None,
    times: dict[str, Times] | None = None,
) -> Collections:
    times = times or {}
    return Collections(
        links=[Link(href=f"{base}/ogc/collections", rel="self", type=JSON)],
        collections=[collection(layer, base, extent, times.get(layer.id)) for layer in layers],
    )


def _items_href(base: str, layer: Layer, query: Query, limit: int, offset: int) -> str:
    params: dict[str, str | int] = {"limit": limit, "offset": offset}
    if query.bbox is not None:
        params["bbox"] = query.bbox.as_param()
    if query.interval is not None:
        params["datetime"] = query.interval.as_param()
    return f"{base}/ogc/collections/{layer.id}/items?{urlencode(params)}"


def items_document(
    features: list[str],
    *,
    layer: Layer,
    base: str,
    query: Query,
    limit: int,
    offset: int,
    number_matched: int,
) -> str:
    """The FeatureCollection text: ready-made feature JSON joined under a metadata head.

    The next link asks for a full page (``MAX_LIMIT``) whatever this page's limit was:
    bulk clients follow it to the end, and GDAL before 3.8 sends ``limit=10`` on its first
    request only (then 1,000 features a request instead of 10). A client that wants small
    pages throughout passes its own ``limit`` and ``offset``.
    """
    links = [
        Link(href=_items_href(base, layer, query, limit, offset), rel="self", type=GEOJSON),
        Link(href=f"{base}/ogc/collections/{layer.id}", rel="collection", type=JSON),
    ]
    if offset + len(features) < number_matched:
        next_limit = max(limit, MAX_LIMIT)
        links.append(
            Link(
                href=_items_href(base, layer, query, next_limit, offset + limit),
                rel="next",
                type=GEOJSON,
                title="Next page",
            )
        )
    if offset > 0:
        links.append(
            Link(
                href=_items_href(base, layer, query, limit, max(offset - limit, 0)),
                rel="prev",
                type=GEOJSON,
                title="Previous page",
            )
        )
    head = {
        "type": "FeatureCollection",
        "numberMatched": number_matched,
        "numberReturned": len(features),
        "timeStamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "links": [link.model_dump(exclude_none=True) for link in links],
    }
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    return opening + ', "features": [' + ", ".join(features) + "]}"


def feature_document(feature: str, *, layer: Layer, base: str, fid: str) -> str:
    """One Feature with its self and collection links added."""
    href = f"{base}/ogc/collections/{layer.id}"
    links = [
        {"href": f"{href}/items/{quote(fid, safe='')}", "rel": "self", "type": GEOJSON},
        {"href": href, "rel": "collection", "type": JSON},
    ]
    return feature[:-1] + ', "links": ' + json.dumps(links, ensure_ascii=False) + "}"
