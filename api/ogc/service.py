"""Reads behind OGC API – Features, always inside the caller's row-level scope (no HTTP here).

Every function takes the request's session: its transaction already runs as the
restricted role with the caller's area prefix, so PostGIS returns only what the caller
may see — out-of-scope features are never read, not filtered afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.areas.models import Area
from api.audit import service as audit
from api.auth.schemas import Principal
from api.errors import NotFound
from api.maps.layers import OGC_LAYERS as LAYERS
from api.maps.layers import Layer
from api.ogc import sql
from api.ogc.params import BBox, Query
from api.ogc.temporal import Interval

Bounds = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat
_INTEGER_TYPES = frozenset({"int2", "int4", "int8"})


@dataclass(frozen=True)
class Page:
    """One page of items: GeoJSON text of each feature and the total that matched."""

    features: list[str]
    number_matched: int


def get_collection(collection_id: str) -> Layer:
    """The layer published as ``collection_id``; 404 (OGC's answer) when there is none."""
    layer = LAYERS.get(collection_id)
    if layer is None:
        raise NotFound(
            f"unknown collection {collection_id!r}; collections: {', '.join(LAYERS)}",
            code="unknown_collection",
            message_zh=f"未知数据集 {collection_id}",
        )
    return layer


async def _driver(session: AsyncSession):  # -> asyncpg.Connection
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


def _bounds(values: Iterable[str | float]) -> Bounds:
    min_lon, min_lat, max_lon, max_lat = (round(float(v), 7) for v in values)
    return min_lon, min_lat, max_lon, max_lat


@lru_cache(maxsize=64)
def _item_sql(layer_id: str) -> str:
    return sql.item_sql(LAYERS[layer_id])


async def read_items(
    session: AsyncSession,
    *,
    layer: Layer,
    bbox: BBox | None,
    interval: Interval | None = None,
    limit: int,
    offset: int,
) -> Page:
    """A page of visible features in id order (stable paging), with ``numberMatched``."""
    driver = await _driver(session)
    count, count_args = sql.count_sql(layer, bbox, interval)
    matched = await driver.fetchval(count, *count_args)
    if offset >= matched:
        return Page(features=[], number_matched=matched)
    query, args = sql.items_sql(layer, bbox, interval)
    rows = await driver.fetch(query, *args, limit, offset)
    return Page(features=[row[0] for row in rows], number_matched=matched)


async def record_export(
    session: AsyncSession,
    *,
    principal: Principal,
    layer: Layer,
    page: Page,
    query: Query,
    limit: int,
    offset: int,
    client_addr: str | None,
) -> None:
    """Audit one items page as an export of block data (块数据导出), in the request's
    transaction: the record commits with the response or not at all."""
    await audit.record_by(
        session,
        principal,
        action="ogc.export",
        object_type="collection",
        object_id=layer.id,
        client_addr=client_addr,
        details={
            "returned": len(page.features),
            "matched": page.number_matched,
            "bbox": query.bbox.as_param() if query.bbox else None,
            "datetime": query.interval.as_param() if query.interval else None,
            "limit": limit,
            "offset": offset,
        },
    )


async def read_item(session: AsyncSession, *, layer: Layer, fid: str) -> str:
    """One visible feature as GeoJSON text; 404 alike for absent and out-of-scope ids."""
    driver = await _driver(session)
    statement = await driver.prepare(_item_sql(layer.id))
    value: str | int = fid
    if statement.get_parameters()[0].name in _INTEGER_TYPES:
        value = int(fid) if fid.isascii() and fid.isdigit() and len(fid) < 19 else -1
    feature = await statement.fetchval(value)
    if feature is None:
        raise NotFound(
            f"no feature {fid!r} in collection {layer.id!r} within your area",
            code="feature_not_found",
            message_zh="要素不存在或不在您的管辖范围内",
        )
    return feature


async def layer_extent(session: AsyncSession, *, layer: Layer) -> Bounds | None:
    """The bbox of the layer's features the caller can see; ``None`` when there are none."""
    driver = await _driver(session)
    row = await driver.fetchrow(sql.extent_sql(layer))
    if row is None or row[0] is None:
        return None
    return _bounds(row)


async def temporal_extent(
    session: AsyncSession, *, layer: Layer
) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    """The first and last time of the caller's visible features, ``(None, None)`` when
    there are none, ``None`` when the collection has no temporal property."""
    query = sql.temporal_extent_sql(layer)
    if query is None:
        return None
    row = await (await _driver(session)).fetchrow(query)
    return row[0], row[1]


async def scope_extent(session: AsyncSession, *, principal: Principal) -> Bounds | None:
    """The bbox of the caller's own area: a cheap enclosing extent for the collection list."""
    box = await session.scalar(
        select(func.ST_Extent(Area.geom)).where(Area.code == principal.scope_code)
    )
    if box is None:
        return None
    return _bounds(box.removeprefix("BOX(").removesuffix(")").replace(",", " ").split())
