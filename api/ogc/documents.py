"""Building the OGC documents and their links from the layer registry (no database, no HTTP)."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import quote, urlencode

from api.maps.layers import Layer
from api.ogc.params import BBox
from api.ogc.schemas import (
    Collection,
    Collections,
    Conformance,
    Extent,
    LandingPage,
    Link,
    SpatialExtent,
)

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
                href=f"{base}/openapi.json",
                rel="service-desc",
                type=OPENAPI,
                title="The API definition",
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


def collection(layer: Layer, base: str, extent: tuple[float, ...] | None) -> Collection:
    href = f"{base}/ogc/collections/{layer.id}"
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
        extent=Extent(spatial=SpatialExtent(bbox=[list(extent)])) if extent else None,
    )


def collections(layers: list[Layer], base: str, extent: tuple[float, ...] | None) -> Collections:
    return Collections(
        links=[Link(href=f"{base}/ogc/collections", rel="self", type=JSON)],
        collections=[collection(layer, base, extent) for layer in layers],
    )


def _items_href(base: str, layer: Layer, bbox: BBox | None, limit: int, offset: int) -> str:
    query: dict[str, str | int] = {"limit": limit, "offset": offset}
    if bbox is not None:
        query["bbox"] = bbox.as_param()
    return f"{base}/ogc/collections/{layer.id}/items?{urlencode(query)}"


def items_document(
    features: list[str],
    *,
    layer: Layer,
    base: str,
    bbox: BBox | None,
    limit: int,
    offset: int,
    number_matched: int,
) -> str:
    """The FeatureCollection text: ready-made feature JSON joined under a metadata head."""
    links = [
        Link(href=_items_href(base, layer, bbox, limit, offset), rel="self", type=GEOJSON),
        Link(href=f"{base}/ogc/collections/{layer.id}", rel="collection", type=JSON),
    ]
    if offset + len(features) < number_matched:
        links.append(
            Link(
                href=_items_href(base, layer, bbox, limit, offset + limit),
                rel="next",
                type=GEOJSON,
                title="Next page",
            )
        )
    if offset > 0:
        links.append(
            Link(
                href=_items_href(base, layer, bbox, limit, max(offset - limit, 0)),
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
