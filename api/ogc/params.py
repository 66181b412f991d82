"""Query parameters of OGC API – Features, checked at the entry with precise messages.

Every refusal is a 400 in the project's error format with its own ``code``, so a
client (or a person reading GDAL's log) sees exactly which value was wrong and why.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from api.errors import BadRequest
from api.ogc.temporal import Interval
from gis.crs import CHINA_BOUNDS

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
FORMATS = ("json",)
GEOJSON_FORMATS = ("json", "geojson")
_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")
_DIGITS = re.compile(r"\+?[0-9]+")
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS84_NAMES = (CRS84, f"[{CRS84}]", "[OGC:CRS84]", "OGC:CRS84")


@dataclass(frozen=True)
class BBox:
    """A CRS84 (longitude, latitude) box: min_lon, min_lat, max_lon, max_lat."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def as_tuple(self) -> tuple[float, float, float, float]:
        return self.min_lon, self.min_lat, self.max_lon, self.max_lat

    def as_param(self) -> str:
        return ",".join(f"{v:.15g}" for v in self.as_tuple())


@dataclass(frozen=True)
class Query:
    """The filters of an items request, repeated in its paging links."""

    bbox: BBox | None = None
    interval: Interval | None = None


def _bad_bbox(message: str, message_zh: str, code: str = "invalid_bbox") -> BadRequest:
    return BadRequest(message, code=code, message_zh=message_zh)


def _inside_china(min_x: float, min_y: float, max_x: float, max_y: float) -> bool:
    west, south, east, north = CHINA_BOUNDS
    return west <= min_x and max_x <= east and south <= min_y and max_y <= north


def _overlaps_china(min_x: float, min_y: float, max_x: float, max_y: float) -> bool:
    west, south, east, north = CHINA_BOUNDS
    return min_x <= east and max_x >= west and min_y <= north and max_y >= south


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _bad_bbox(
            f"bbox value {text.strip()!r} is not a number", f"bbox 中的 {text.strip()!r} 不是数字"
        ) from None
    if not math.isfinite(value):
        raise _bad_bbox(
            f"bbox value {text.strip()!r} is not a finite number",
            f"bbox 中的 {text.strip()!r} 不是有限数值",
        )
    return value


def parse_bbox(raw: str | None) -> BBox | None:
    """Parse ``min_lon,min_lat,max_lon,max_lat`` (CRS84); refuse swapped or impossible boxes.

    A box that misses China entirely but lands inside it once x and y are exchanged was
    written latitude first (纬度在前): it is refused with the corrected order.
    """
    if raw is None:
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise _bad_bbox(
            f"bbox needs 4 numbers min_lon,min_lat,max_lon,max_lat (CRS84), got {len(parts)}"
            + (": 3D boxes are not supported" if len(parts) == 6 else ""),
            f"bbox 需要 4 个数字（最小经度,最小纬度,最大经度,最大纬度），收到 {len(parts)} 个",
        )
    a, b, c, d = (_number(part) for part in parts)
    (x0, x1), (y0, y1) = sorted((a, c)), sorted((b, d))
    if not _overlaps_china(x0, y0, x1, y1) and _inside_china(y0, x0, y1, x1):
        fixed = ",".join(f"{v:g}" for v in (b, a, d, c))
        raise _bad_bbox(
            f"bbox {raw} looks like latitude,longitude (axes swapped); CRS84 takes longitude"
            f" first: bbox={fixed}",
            f"bbox 经纬度顺序颠倒，应为经度在前：bbox={fixed}",
            code="bbox_axes_swapped",
        )
    for name, value in (("min_lon", a), ("max_lon", c)):
        if not -180.0 <= value <= 180.0:
            raise _bad_bbox(
                f"bbox {name} {value:g} is outside -180..180", f"bbox 经度 {value:g} 超出 -180..180"
            )
    for name, value in (("min_lat", b), ("max_lat", d)):
        if not -90.0 <= value <= 90.0:
            raise _bad_bbox(
                f"bbox {name} {value:g} is outside -90..90", f"bbox 纬度 {value:g} 超出 -90..90"
            )
    if a > c:
        raise _bad_bbox(
            f"bbox min_lon {a:g} is greater than max_lon {c:g}", "bbox 最小经度大于最大经度"
        )
    if b > d:
        raise _bad_bbox(
            f"bbox min_lat {b:g} is greater than max_lat {d:g}", "bbox 最小纬度大于最大纬度"
        )
    return BBox(a, b, c, d)


def _integer(raw: str) -> int | None:
    return int(raw) if _INTEGER.fullmatch(raw.strip()) else None


def parse_limit(raw: str | None) -> int:
    """The page size: 100 when absent; above 1000 it is capped at 1000 (Part 1 lets the
    server cap it; the capped value is the ``limit`` of the self and next links)."""
    if raw is None:
        return DEFAULT_LIMIT
    text = raw.strip()
    if _DIGITS.fullmatch(text) and len(text.lstrip("+")) > 12:
        return MAX_LIMIT  # any integer this long is far above the maximum
    value = _integer(text)
    if value is None or value < 1:
        raise BadRequest(
            f"limit must be a positive integer (at most {MAX_LIMIT} are returned), got {raw!r}",
            code="invalid_limit",
            message_zh=f"limit 应为正整数（每页最多 {MAX_LIMIT} 条）",
        )
    return min(value, MAX_LIMIT)


def check_crs(name: str, raw: str | None) -> None:
    """``bbox-crs`` and ``crs``: only CRS84 (longitude, latitude) is served; any other CRS
    is refused rather than silently read or written as CRS84."""
    if raw is not None and raw.strip() not in CRS84_NAMES:
        raise BadRequest(
            f"{name} {raw!r} is not supported: only {CRS84} (longitude, latitude) is served",
            code="unsupported_crs",
            message_zh=f"不支持的坐标参考系 {name}={raw}，仅支持 CRS84（经度在前）",
        )


def parse_offset(raw: str | None) -> int:
    """How many features to skip: 0 or more, 0 when absent."""
    if raw is None:
        return 0
    value = _integer(raw)
    if value is None or value < 0:
        raise BadRequest(
            f"offset must be an integer of 0 or more, got {raw!r}",
            code="invalid_offset",
            message_zh="offset 应为不小于 0 的整数",
        )
    return value


def check_known(names: set[str], known: set[str]) -> None:
    """Part 1, /req/core/query-param-unknown: a parameter the API definition does not name
    is refused (a misspelt ``bbox`` must not silently return everything)."""
    unknown = sorted(names - known)
    if unknown:
        raise BadRequest(
            f"unknown query parameter {', '.join(unknown)}; this endpoint takes "
            + (", ".join(sorted(known)) or "none"),
            code="unknown_parameter",
            message_zh=f"未知的查询参数 {', '.join(unknown)}",
        )


def check_format(f: str | None, allowed: tuple[str, ...] = FORMATS) -> None:
    """Refuse an ``f`` this endpoint cannot produce."""
    if f is not None and f not in allowed:
        raise BadRequest(
            f"unsupported format f={f!r}; supported: {', '.join(allowed)}",
            code="unsupported_format",
            message_zh=f"不支持的格式 f={f}",
        )


def geojson_media_type(f: str | None, accept: str | None) -> str:
    """``application/geo+json`` unless the client asks for plain JSON only (Accept)."""
    check_format(f, GEOJSON_FORMATS)
    accept = (accept or "").lower()
    if f is None and "application/json" in accept and "application/geo+json" not in accept:
        return "application/json"
    return "application/geo+json"
