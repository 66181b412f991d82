"""Chinese web-map coordinate conversions (坐标纠偏): WGS 84 ⇄ GCJ-02 ⇄ BD-09.

GCJ-02 (国测局坐标, "火星坐标") is the obfuscated datum that every map published in
China must use (高德/AutoNavi, 腾讯/Tencent, Google .cn); BD-09 (百度坐标) is Baidu's
second offset on top of it. Neither is an EPSG CRS: they are defined by the published
formulas reproduced here (the widely copied ``coordTransform`` / ``eviltransform``
code, Krasovsky 1940 ellipsoid constants).

Every conversion takes longitude first, accepts scalars or array-likes (broadcast
against each other) and returns ``(lon, lat)`` -- floats for scalar input, ``float64``
arrays otherwise. Outside China (the ``out_of_china`` box 73.66–135.05°E,
3.86–53.55°N) GCJ-02 equals WGS 84. :func:`gcj02_to_wgs84` is the iterative exact
inverse (residual below 1e-10°), not the one-step approximation that is off by up to
a few metres; :func:`bd09_to_gcj02` is likewise refined to an exact inverse.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, overload

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "GCJ02_CHINA_BOUNDS",
    "ConversionFunction",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "out_of_china",
    "transform_geometry",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

FloatArray = NDArray[np.float64]
ConversionFunction = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]
"""A vectorised ``(lon, lat) -> (lon, lat)`` conversion, e.g. :func:`wgs84_to_gcj02`."""

GeometryT = TypeVar("GeometryT")

#: (min lon, min lat, max lon, max lat) of the box where GCJ-02 differs from WGS 84.
GCJ02_CHINA_BOUNDS = (73.66, 3.86, 135.05, 53.55)

_KRASOVSKY_A = 6378245.0  # semi-major axis of the Krasovsky 1940 ellipsoid (m)
_KRASOVSKY_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0  # BD-09 rotation constant
_INVERSION_TOLERANCE = 1e-10  # degrees; ~0.01 mm
_MAX_INVERSION_STEPS = 30


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray, bool]:
    """Broadcast ``lon``/``lat`` to float64 arrays; the flag says both were scalars."""
    lon_array = np.asarray(lon, dtype=np.float64)
    lat_array = np.asarray(lat, dtype=np.float64)
    scalar = lon_array.ndim == 0 and lat_array.ndim == 0
    lon_array, lat_array = np.broadcast_arrays(lon_array, lat_array)
    return lon_array, lat_array, scalar


def _result(lon: FloatArray, lat: FloatArray, scalar: bool) -> tuple[Any, Any]:
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Tell where GCJ-02 leaves coordinates unchanged (the published ``out_of_china`` rule).

    Parameters
    ----------
    lon, lat : float or array_like
        Longitude and latitude in degrees.

    Returns
    -------
    numpy.ndarray of bool
        True outside the box 73.66–135.05°E, 3.86–53.55°N (and for NaN).

    Examples
    --------
    >>> out_of_china([114.05, 2.35], [22.54, 48.86]).tolist()
    [False, True]
    """
    lon_array, lat_array, _ = _as_arrays(lon, lat)
    min_lon, min_lat, max_lon, max_lat = GCJ02_CHINA_BOUNDS
    inside = (
        (lon_array > min_lon)
        & (lon_array < max_lon)
        & (lat_array > min_lat)
        & (lat_array < max_lat)
    )
    return np.asarray(~inside)


def _max_abs(a: FloatArray, b: FloatArray) -> float:
    """Largest absolute value in ``a`` and ``b``, ignoring NaN (0 when empty)."""
    return float(np.nanmax(np.fmax(np.abs(a), np.abs(b)), initial=0.0))


def _gcj02_offset(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """GCJ-02 minus WGS 84 at WGS 84 position ``(lon, lat)``, in degrees (no China test)."""
    x = lon - 105.0
    y = lat - 35.0
    pi = math.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += common
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += common
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * pi
    magic = 1.0 - _KRASOVSKY_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * pi)
    dlon = (dlon * 180.0) / (_KRASOVSKY_A / sqrt_magic * np.cos(rad_lat) * pi)
    return dlon, dlat


def _wgs84_to_gcj02(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    dlon, dlat = _gcj02_offset(lon, lat)
    outside = out_of_china(lon, lat)
    return np.where(outside, lon, lon + dlon), np.where(outside, lat, lat + dlat)


def _gcj02_to_wgs84(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    # Fixed-point iteration w <- w - (gcj(w) - g), started from the one-step estimate.
    # The offset varies slowly (|d offset / d w| ~ 1e-2), so each step gains ~2 digits.
    dlon, dlat = _gcj02_offset(lon, lat)
    outside = out_of_china(lon, lat)
    wgs_lon = np.where(outside, lon, lon - dlon)
    wgs_lat = np.where(outside, lat, lat - dlat)
    for _ in range(_MAX_INVERSION_STEPS):
        gcj_lon, gcj_lat = _wgs84_to_gcj02(wgs_lon, wgs_lat)
        err_lon = gcj_lon - lon
        err_lat = gcj_lat - lat
        wgs_lon = wgs_lon - err_lon
        wgs_lat = wgs_lat - err_lat
        if not _max_abs(err_lon, err_lat) > _INVERSION_TOLERANCE:
            break
    return wgs_lon, wgs_lat


def _gcj02_to_bd09(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd09_to_gcj02(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    # Baidu's published inverse is itself approximate (off by up to ~2e-6°); refine it
    # by the same fixed-point iteration as GCJ-02 so that round trips are exact.
    x = lon - 0.0065
    y = lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    gcj_lon, gcj_lat = z * np.cos(theta), z * np.sin(theta)
    for _ in range(_MAX_INVERSION_STEPS):
        bd_lon, bd_lat = _gcj02_to_bd09(gcj_lon, gcj_lat)
        err_lon = bd_lon - lon
        err_lat = bd_lat - lat
        gcj_lon = gcj_lon - err_lon
        gcj_lat = gcj_lat - err_lat
        if not _max_abs(err_lon, err_lat) > _INVERSION_TOLERANCE:
            break
    return gcj_lon, gcj_lat


@overload
def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]: ...
def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Any, Any]:
    """Convert WGS 84 (GPS, 地球坐标) to GCJ-02 (国测局坐标, 火星坐标).

    Parameters
    ----------
    lon, lat : float or array_like
        WGS 84 longitude and latitude in degrees (broadcast against each other).

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02; floats for scalar input, arrays otherwise.
        Points outside China are returned unchanged.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(116.404, 39.915)
    >>> round(lon, 6), round(lat, 6)
    (116.410244, 39.916404)
    """
    lon_array, lat_array, scalar = _as_arrays(lon, lat)
    return _result(*_wgs84_to_gcj02(lon_array, lat_array), scalar)


@overload
def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]: ...
def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Any, Any]:
    """Convert GCJ-02 (火星坐标) back to WGS 84 by exact iterative inversion.

    Iterates ``w <- w - (wgs84_to_gcj02(w) - g)`` until the residual is below 1e-10°,
    so ``wgs84_to_gcj02(*gcj02_to_wgs84(g))`` reproduces ``g`` to well under a millimetre.

    Parameters
    ----------
    lon, lat : float or array_like
        GCJ-02 longitude and latitude in degrees.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS 84; floats for scalar input, arrays otherwise.

    Examples
    --------
    >>> lon, lat = gcj02_to_wgs84(116.41024449916938, 39.91640428150164)
    >>> round(lon, 9), round(lat, 9)
    (116.404, 39.915)
    """
    lon_array, lat_array, scalar = _as_arrays(lon, lat)
    return _result(*_gcj02_to_wgs84(lon_array, lat_array), scalar)


@overload
def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]: ...
def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Any, Any]:
    """Convert GCJ-02 (火星坐标) to BD-09 (百度坐标).

    Applied everywhere, as in the published formula (no ``out_of_china`` test).

    Examples
    --------
    >>> lon, lat = gcj02_to_bd09(116.404, 39.915)
    >>> round(lon, 6), round(lat, 6)
    (116.410369, 39.921337)
    """
    lon_array, lat_array, scalar = _as_arrays(lon, lat)
    return _result(*_gcj02_to_bd09(lon_array, lat_array), scalar)


@overload
def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]: ...
def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Any, Any]:
    """Convert BD-09 (百度坐标) to GCJ-02 (火星坐标), the exact inverse of :func:`gcj02_to_bd09`.

    Starts from Baidu's published closed-form inverse (which is off by up to ~2e-6°)
    and refines it iteratively, so ``gcj02_to_bd09`` of the result reproduces the input.

    Examples
    --------
    >>> lon, lat = bd09_to_gcj02(116.41036949371029, 39.92133699351021)
    >>> round(lon, 9), round(lat, 9)
    (116.404, 39.915)
    """
    lon_array, lat_array, scalar = _as_arrays(lon, lat)
    return _result(*_bd09_to_gcj02(lon_array, lat_array), scalar)


@overload
def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]: ...
def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Any, Any]:
    """Convert WGS 84 to BD-09 (百度坐标) through GCJ-02.

    Examples
    --------
    >>> lon, lat = wgs84_to_bd09(114.0579, 22.5431)
    >>> round(lon, 6), round(lat, 6)
    (114.069564, 22.546042)
    """
    lon_array, lat_array, scalar = _as_arrays(lon, lat)
    return _result(*_gcj02_to_bd09(*_wgs84_to_gcj02(lon_array, lat_array)), scalar)


@overload
def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]: ...
def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Any, Any]:
    """Convert BD-09 (百度坐标) to WGS 84 through GCJ-02 (exact GCJ-02 inversion).

    Examples
    --------
    >>> lon, lat = bd09_to_wgs84(*wgs84_to_bd09(114.0579, 22.5431))
    >>> abs(lon - 114.0579) < 1e-6 and abs(lat - 22.5431) < 1e-6
    True
    """
    lon_array, lat_array, scalar = _as_arrays(lon, lat)
    return _result(*_gcj02_to_wgs84(*_bd09_to_gcj02(lon_array, lat_array)), scalar)


def transform_geometry(geometry: GeometryT, convert: ConversionFunction) -> GeometryT:
    """Apply a coordinate conversion to every vertex of shapely geometries.

    Parameters
    ----------
    geometry : shapely.Geometry or array_like of shapely.Geometry
        Any geometry type (points, lines, polygons, multi-parts, collections);
        ``None`` entries and empty geometries pass through. Z values are kept.
    convert : callable
        A vectorised ``(lon, lat) -> (lon, lat)`` function such as
        :func:`wgs84_to_gcj02`.

    Returns
    -------
    same type as ``geometry``
        New geometries; the input is not modified.

    Examples
    --------
    >>> from shapely import Point
    >>> gcj = transform_geometry(Point(116.404, 39.915), wgs84_to_gcj02)
    >>> round(gcj.x, 6), round(gcj.y, 6)
    (116.410244, 39.916404)
    """

    def _apply(coords: FloatArray) -> FloatArray:
        out = np.array(coords, dtype=np.float64, copy=True)
        if len(out):
            out[:, 0], out[:, 1] = convert(out[:, 0], out[:, 1])
        return out

    result: GeometryT = shapely.transform(geometry, _apply, include_z=None)
    return result
