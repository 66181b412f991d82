"""Coordinate reference systems: the one CRS-to-SRID mapping, China-extent checks, to WGS 84.

Data reaches blockgrid in WGS 84 (EPSG:4326), CGCS2000 (国家2000坐标系, EPSG:4490),
CGCS2000 Gauss-Krüger projections (高斯-克吕格, e.g. EPSG:4547 for 114°E, the zone
of Shenzhen), Web Mercator (EPSG:3857), UTM zones 49N/50N, or the Chinese web-map
pseudo-CRSs GCJ-02 (火星坐标) and BD-09 (百度坐标), which have no EPSG code and are
named ``"gcj02"`` and ``"bd09"`` here. Everything is stored in WGS 84.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj.exceptions import CRSError as PyprojCRSError

from gis.coords import (
    ConversionFunction,
    bd09_to_wgs84,
    gcj02_to_wgs84,
    transform_geometry,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

__all__ = [
    "BD09",
    "CGCS2000_SRID",
    "CHINA_BOUNDS",
    "GCJ02",
    "SUPPORTED_SRIDS",
    "WEB_MERCATOR_SRID",
    "WGS84_SRID",
    "CoordinateError",
    "CrsError",
    "CrsLike",
    "ResolvedCrs",
    "check_bbox_in_china",
    "check_lonlat_in_china",
    "from_wgs84",
    "gauss_kruger_srid",
    "lonlat_to_web_mercator",
    "resolve_crs",
    "srid_of",
    "to_wgs84",
]

GCJ02 = "gcj02"
BD09 = "bd09"
WGS84_SRID = 4326
CGCS2000_SRID = 4490
WEB_MERCATOR_SRID = 3857

#: Pseudo-CRS aliases (lower-case, without ``-``/``_``/spaces) -> canonical name.
_PSEUDO_CRS_ALIASES = {"gcj02": GCJ02, "gcj": GCJ02, "bd09": BD09, "bd09ll": BD09}

#: SRID -> description; the single list of CRSs blockgrid accepts.
SUPPORTED_SRIDS: dict[int, str] = {
    WGS84_SRID: "WGS 84",
    CGCS2000_SRID: "China Geodetic Coordinate System 2000",
    WEB_MERCATOR_SRID: "WGS 84 / Pseudo-Mercator",
    32649: "WGS 84 / UTM zone 49N",
    32650: "WGS 84 / UTM zone 50N",
    **{4491 + i: f"CGCS2000 / Gauss-Kruger zone {13 + i}" for i in range(11)},
    **{4502 + i: f"CGCS2000 / Gauss-Kruger CM {75 + 6 * i}E" for i in range(11)},
    **{4513 + i: f"CGCS2000 / 3-degree Gauss-Kruger zone {25 + i}" for i in range(21)},
    **{4534 + i: f"CGCS2000 / 3-degree Gauss-Kruger CM {75 + 3 * i}E" for i in range(21)},
}
_GEOGRAPHIC_SRIDS = frozenset({WGS84_SRID, CGCS2000_SRID})

#: (min lon, min lat, max lon, max lat): generous box around China, 南海 islands included.
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)
_CHINA_HINT = "expected longitude first (x≈73–136, y≈3–54 for China)"

CrsLike = str | int | pyproj.CRS


class CrsError(ValueError):
    """A CRS that cannot be parsed or that blockgrid does not accept."""


class CoordinateError(ValueError):
    """Coordinates that cannot be right: lat/lon swapped, outside China, not degrees."""


@dataclass(frozen=True)
class ResolvedCrs:
    """A recognised CRS: an EPSG SRID or one of the pseudo-CRSs ``gcj02``/``bd09``."""

    name: str  #: ``"EPSG:4547"``, ``"gcj02"`` or ``"bd09"``
    srid: int | None  #: EPSG code; None for GCJ-02 and BD-09
    label: str  #: human-readable description
    geographic: bool  #: coordinates are lon/lat degrees


def resolve_crs(crs: CrsLike) -> ResolvedCrs:
    """Recognise a CRS given as an EPSG code, ``"EPSG:xxxx"``, WKT, pyproj.CRS or pseudo name.

    Parameters
    ----------
    crs : str, int or pyproj.CRS
        Anything :func:`pyproj.CRS.from_user_input` understands, or ``"gcj02"`` /
        ``"bd09"`` (case, ``-`` and ``_`` ignored: ``"GCJ-02"`` works).

    Returns
    -------
    ResolvedCrs

    Raises
    ------
    CrsError
        If the CRS cannot be parsed or is not in :data:`SUPPORTED_SRIDS`.

    Examples
    --------
    >>> resolve_crs("EPSG:4547").label
    'CGCS2000 / 3-degree Gauss-Kruger CM 114E'
    >>> resolve_crs("GCJ-02")
    ResolvedCrs(name='gcj02', srid=None, label='GCJ-02 (火星坐标)', geographic=True)
    """
    if isinstance(crs, str):
        key = crs.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
        pseudo = _PSEUDO_CRS_ALIASES.get(key)
        if pseudo == GCJ02:
            return ResolvedCrs(GCJ02, None, "GCJ-02 (火星坐标)", True)
        if pseudo == BD09:
            return ResolvedCrs(BD09, None, "BD-09 (百度坐标)", True)
    if isinstance(crs, bool) or not isinstance(crs, str | int | pyproj.CRS):
        raise CrsError(f"cannot interpret {crs!r} as a CRS; give an EPSG code, WKT or 'gcj02'")
    try:
        parsed = pyproj.CRS.from_user_input(crs)
    except PyprojCRSError as exc:
        raise CrsError(f"cannot parse CRS {str(crs)[:80]!r}: {exc}") from exc
    srid = _epsg_code(parsed)
    if srid is None or srid not in SUPPORTED_SRIDS:
        found = f"EPSG:{srid}" if srid is not None else "a CRS without an EPSG code"
        raise CrsError(
            f"unsupported CRS {found} ({parsed.name}); blockgrid accepts WGS 84 (4326), "
            "CGCS2000 (4490), CGCS2000 Gauss-Krüger (4491–4554), Web Mercator (3857), "
            "UTM 49N/50N (32649/32650), 'gcj02' and 'bd09'"
        )
    return ResolvedCrs(f"EPSG:{srid}", srid, SUPPORTED_SRIDS[srid], srid in _GEOGRAPHIC_SRIDS)


def _epsg_code(parsed: pyproj.CRS) -> int | None:
    """EPSG code by identification, else the one the definition declares (WKT1 ``AUTHORITY``)."""
    if parsed.to_authority() == ("OGC", "CRS84"):
        return WGS84_SRID
    code = parsed.to_epsg()
    if code is None:
        declared = parsed.to_json_dict().get("id") or {}
        if declared.get("authority") == "EPSG" and str(declared.get("code", "")).isdigit():
            code = int(declared["code"])
    return code


def srid_of(crs: CrsLike) -> int:
    """Return the PostGIS SRID of a supported CRS.

    Raises
    ------
    CrsError
        For unsupported CRSs and for ``gcj02``/``bd09``, which have no SRID: convert
        such data with :func:`to_wgs84` first.

    Examples
    --------
    >>> srid_of("EPSG:4547"), srid_of(4490), srid_of("WGS84")
    (4547, 4490, 4326)
    """
    resolved = resolve_crs(crs)
    if resolved.srid is None:
        raise CrsError(
            f"{resolved.label} is not an EPSG CRS and has no SRID; convert it with to_wgs84()"
        )
    return resolved.srid


def gauss_kruger_srid(
    lon: float, *, zone_width: Literal[3, 6] = 3, zone_prefix: bool = False
) -> int:
    """Return the CGCS2000 Gauss-Krüger SRID whose zone holds longitude ``lon``.

    Parameters
    ----------
    lon : float
        Longitude in degrees, 73.5–136.5 (3-degree) or 72–138 (6-degree).
    zone_width : {3, 6}
        3-degree (三度带, zones centred on multiples of 3°) or 6-degree (六度带).
    zone_prefix : bool
        True for the variants whose false easting carries the zone number
        (e.g. 38500000 m), False for the "CM" variants with 500000 m.

    Examples
    --------
    >>> gauss_kruger_srid(114.05), gauss_kruger_srid(114.05, zone_prefix=True)
    (4547, 4526)
    >>> gauss_kruger_srid(114.05, zone_width=6)
    4509
    """
    if zone_width == 3:
        zone = math.floor(lon / 3.0 + 0.5)
        first_zone, count = 25, 21
        base = 4513 if zone_prefix else 4534
    elif zone_width == 6:
        zone = math.floor(lon / 6.0) + 1
        first_zone, count = 13, 11
        base = 4491 if zone_prefix else 4502
    else:
        raise CrsError(f"zone_width must be 3 or 6, got {zone_width!r}")
    if not first_zone <= zone < first_zone + count:
        raise CrsError(f"longitude {lon} is outside the CGCS2000 Gauss-Krüger zones of China")
    return base + zone - first_zone


def _fmt(value: float) -> str:
    return f"{value:.7g}"


def _range(values: NDArray[np.float64]) -> str:
    return f"[{_fmt(float(np.min(values)))}, {_fmt(float(np.max(values)))}]"


def _inside_china(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.bool_]:
    min_lon, min_lat, max_lon, max_lat = CHINA_BOUNDS
    return np.asarray((x >= min_lon) & (x <= max_lon) & (y >= min_lat) & (y <= max_lat))


def check_lonlat_in_china(lon: ArrayLike, lat: ArrayLike, *, crs_label: str = "WGS 84") -> None:
    """Refuse geographic coordinates that are swapped, not degrees or outside China.

    Parameters
    ----------
    lon, lat : float or array_like
        The x and y values of data claimed to be longitude/latitude. NaN is ignored.
    crs_label : str
        Name of the claimed CRS, used in error messages.

    Raises
    ------
    CoordinateError
        If every point falls inside China only once x and y are swapped (纬度/经度颠倒),
        if values exceed the degree range (projected data declared as geographic),
        or if any point lies outside China (:data:`CHINA_BOUNDS`).

    Examples
    --------
    >>> check_lonlat_in_china([114.05, 113.9], [22.54, 22.5])
    >>> try:
    ...     check_lonlat_in_china([22.4, 22.8], [113.7, 114.6])
    ... except CoordinateError as exc:
    ...     print(exc)  # doctest: +NORMALIZE_WHITESPACE
    coordinates look swapped: x in [22.4, 22.8] and y in [113.7, 114.6];
    expected longitude first (x≈73–136, y≈3–54 for China)
    """
    x = np.asarray(lon, dtype=np.float64).ravel()
    y = np.asarray(lat, dtype=np.float64).ravel()
    x, y = np.broadcast_arrays(x, y)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    if x.size == 0:
        return
    inside = _inside_china(x, y)
    if inside.all():
        return
    found = f"x in {_range(x)} and y in {_range(y)}"
    if _inside_china(y, x).all():
        raise CoordinateError(f"coordinates look swapped: {found}; {_CHINA_HINT}")
    if (np.abs(x) > 180.0).any() or (np.abs(y) > 90.0).any():
        raise CoordinateError(
            f"coordinates are not {crs_label} degrees: {found}; they look projected "
            "(metres): declare the source CRS, e.g. EPSG:4547 for CGCS2000 Gauss-Krüger 114°E"
        )
    bad = int(np.argmin(inside))
    raise CoordinateError(
        f"{int((~inside).sum())} of {x.size} coordinates fall outside China "
        f"(first: x={_fmt(float(x[bad]))}, y={_fmt(float(y[bad]))}); {found}; {_CHINA_HINT}"
    )


def check_bbox_in_china(
    bbox: tuple[float, float, float, float], *, crs_label: str = "WGS 84"
) -> None:
    """Refuse a ``(min_lon, min_lat, max_lon, max_lat)`` box that is swapped or outside China.

    Examples
    --------
    >>> check_bbox_in_china((113.7, 22.4, 114.6, 22.9))
    >>> try:
    ...     check_bbox_in_china((22.4, 113.7, 22.9, 114.6))
    ... except CoordinateError as exc:
    ...     print(exc)  # doctest: +NORMALIZE_WHITESPACE
    coordinates look swapped: x in [22.4, 22.9] and y in [113.7, 114.6];
    expected longitude first (x≈73–136, y≈3–54 for China)
    """
    if len(bbox) != 4:
        raise CoordinateError(
            f"a bbox has 4 numbers (min_lon, min_lat, max_lon, max_lat), got {bbox!r}"
        )
    min_x, min_y, max_x, max_y = (float(v) for v in bbox)
    if min_x > max_x or min_y > max_y:
        raise CoordinateError(
            f"bbox {bbox!r} is not (min_lon, min_lat, max_lon, max_lat): minimum above maximum"
        )
    check_lonlat_in_china([min_x, max_x], [min_y, max_y], crs_label=crs_label)


@functools.lru_cache(maxsize=64)
def _transformer(source_srid: int, target_srid: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source_srid, target_srid, always_xy=True)


def lonlat_to_web_mercator(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """WGS 84 longitudes and latitudes to Web Mercator metres (EPSG:3857), vectorised.

    The same pyproj transformation as ``from_wgs84(geometries, 3857)``, on coordinate
    arrays (points to COPY, tile maths) without building geometries.

    Examples
    --------
    The example of EPSG Guidance Note 7-2 (100°20'W, 24°22'54.433"N) and the antimeridian:

    >>> lon, lat = [-(100 + 20 / 60), 180.0], [24 + 22 / 60 + 54.433 / 3600, 0.0]
    >>> x, y = lonlat_to_web_mercator(lon, lat)
    >>> x.round(2).tolist(), y.round(2).tolist()
    ([-11169055.58, 20037508.34], [2800000.0, 0.0])
    """
    x, y = _transformer(WGS84_SRID, WEB_MERCATOR_SRID).transform(
        np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    )
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def _pyproj_conversion(source_srid: int, target_srid: int) -> ConversionFunction:
    transformer = _transformer(source_srid, target_srid)

    def convert(x: NDArray[np.float64], y: NDArray[np.float64]) -> Any:
        return transformer.transform(x, y)

    return convert


def _is_geopandas(obj: object) -> bool:
    return type(obj).__module__.split(".")[0] == "geopandas"


def _reproject(geometries: Any, source: CrsLike | None, target: CrsLike, check: bool) -> Any:
    """Shared body of :func:`to_wgs84` and :func:`from_wgs84`; one side is WGS 84."""
    frame = None
    if _is_geopandas(geometries) and hasattr(geometries, "set_geometry"):
        frame, geometries = geometries, geometries.geometry
    if source is None:
        source = getattr(geometries, "crs", None) if _is_geopandas(geometries) else None
        if source is None:
            raise CrsError("the source CRS is unknown: pass source= (e.g. 'EPSG:4547' or 'gcj02')")
    src, dst = resolve_crs(source), resolve_crs(target)
    geoms = np.asarray(geometries, dtype=object) if _is_geopandas(geometries) else geometries
    to_wgs = dst.srid == WGS84_SRID
    moving = src if to_wgs else dst
    if check and to_wgs and src.geographic:
        coords = shapely.get_coordinates(geoms)
        check_lonlat_in_china(coords[:, 0], coords[:, 1], crs_label=src.label)
    if moving.name == GCJ02:
        result = transform_geometry(geoms, gcj02_to_wgs84 if to_wgs else wgs84_to_gcj02)
    elif moving.name == BD09:
        result = transform_geometry(geoms, bd09_to_wgs84 if to_wgs else wgs84_to_bd09)
    elif moving.srid == WGS84_SRID:
        result = shapely.transform(geoms, lambda xyz: xyz, include_z=None)  # a copy
    else:
        assert src.srid is not None and dst.srid is not None
        result = transform_geometry(geoms, _pyproj_conversion(src.srid, dst.srid))
    if check and to_wgs and not src.geographic:
        _check_converted(geoms, result, src)
    if not _is_geopandas(geometries):
        return result
    import geopandas
    import pandas

    crs_out = dst.name if dst.srid is not None else None
    series = geopandas.GeoSeries(result, index=geometries.index, crs=crs_out, name=geometries.name)
    if frame is None:
        return series
    data = pandas.DataFrame(frame).copy()
    data[frame.geometry.name] = series
    return geopandas.GeoDataFrame(data, geometry=frame.geometry.name, crs=crs_out)


def _check_converted(source_geoms: Any, result: Any, src: ResolvedCrs) -> None:
    """Check projected input after conversion, naming the declared CRS in the error."""
    coords = shapely.get_coordinates(result)
    if np.isinf(coords).any():
        given = shapely.get_coordinates(source_geoms)
        raise CoordinateError(
            f"coordinates x in {_range(given[:, 0])} and y in {_range(given[:, 1])} "
            f"cannot be converted from {src.name} ({src.label}); is the declared CRS right "
            "(zone-prefixed false easting or not)?"
        )
    try:
        check_lonlat_in_china(coords[:, 0], coords[:, 1])
    except CoordinateError as exc:
        raise CoordinateError(
            f"after converting from {src.name} ({src.label}): {exc}; "
            "is the declared source CRS right?"
        ) from exc


def to_wgs84(geometries: Any, source: CrsLike | None = None, *, check: bool = True) -> Any:
    """Convert geometries from a supported CRS (or GCJ-02/BD-09) to WGS 84.

    Parameters
    ----------
    geometries : shapely.Geometry, array_like of geometries, GeoSeries or GeoDataFrame
        Any geometry types; Z values are kept unchanged. A GeoSeries/GeoDataFrame comes
        back as the same type with CRS EPSG:4326, a list as a numpy array.
    source : str, int or pyproj.CRS, optional
        The CRS of the input (``"EPSG:4547"``, ``4490``, WKT, ``"gcj02"``, ``"bd09"``).
        Defaults to the ``crs`` of a GeoSeries/GeoDataFrame.
    check : bool
        Refuse swapped or out-of-China coordinates (:func:`check_lonlat_in_china`):
        geographic input is checked as given, projected input after conversion.

    Returns
    -------
    Same kind as ``geometries``, in WGS 84 lon/lat.

    Raises
    ------
    CrsError
        Unknown or unsupported source CRS.
    CoordinateError
        Swapped or out-of-China coordinates (when ``check``).

    Examples
    --------
    >>> from shapely import Point
    >>> p = to_wgs84(Point(500000.0, 2493000.0), "EPSG:4547")
    >>> round(p.x, 4), round(p.y, 4)
    (114.0, 22.5346)
    >>> p = to_wgs84(Point(116.41024449916938, 39.91640428150164), "gcj02")
    >>> round(p.x, 9), round(p.y, 9)
    (116.404, 39.915)
    """
    return _reproject(geometries, source, WGS84_SRID, check)


def from_wgs84(geometries: Any, target: CrsLike) -> Any:
    """Convert WGS 84 geometries to ``target`` (e.g. 3857 for tiles, ``"gcj02"`` for basemaps).

    Same input kinds as :func:`to_wgs84`; a GeoSeries converted to GCJ-02/BD-09 gets no
    CRS (they have no EPSG code).

    Examples
    --------
    >>> from shapely import Point
    >>> p = from_wgs84(Point(116.404, 39.915), "gcj02")
    >>> round(p.x, 6), round(p.y, 6)
    (116.410244, 39.916404)
    """
    source = WGS84_SRID
    if _is_geopandas(geometries) and getattr(geometries, "crs", None) is not None:
        source = srid_of(geometries.crs)
        if source != WGS84_SRID:
            raise CrsError(f"from_wgs84 needs WGS 84 input, got EPSG:{source}")
    return _reproject(geometries, source, target, check=False)
