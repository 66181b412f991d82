"""The geometry of a batch of footprints (轮廓几何清洗): CRS, checks, repairs, anchors.

:func:`clean_shapes` takes the WKB of one batch as read and returns, per feature, the
footprint to store (little-endian MultiPolygon WKB in WGS 84), its point on surface
(the anchor that places it in a grid) and what happened to it. Convex one-ring
footprints in WGS 84 — most buildings — are checked with array arithmetic from their
bytes (:mod:`gis.convex`) and stored as they were read, with no geometry object built;
the others go through shapely/GEOS: parsed, converted to WGS 84 (:mod:`gis.crs`) and
repaired (:mod:`gis.repair`), in two threads (GEOS releases the GIL). The CRS is
recognised here too (:func:`detect_crs`), from a batch's coordinates when the file
declares none.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from numpy.typing import NDArray

from gis.convex import MAX_VERTICES, check_convex_rings
from gis.crs import (
    CHINA_BOUNDS,
    WGS84_SRID,
    CoordinateError,
    CrsError,
    CrsLike,
    ResolvedCrs,
    check_lonlat_in_china,
    resolve_crs,
    to_wgs84,
)
from gis.repair import MIN_AREA_M2, OK, area_m2, repair_polygons
from gis.wkb import (
    as_multipolygon_wkb,
    exact_multipolygon_wkb,
    one_ring_sizes,
    ring_coordinates,
    wkb_array,
)

__all__ = ["CleanShapes", "clean_shapes", "detect_crs"]

#: Below this many features a batch is not split between two threads.
_SPLIT_MIN = 2_048


@dataclass(frozen=True)
class CleanShapes:
    """The geometry of one batch, one entry per feature read.

    ``status`` is a :mod:`gis.repair` status (``OK``, ``REPAIRED``, ``EMPTY``...);
    ``stored`` holds the footprint's MultiPolygon WKB in WGS 84 where it is usable
    (``OK``/``REPAIRED``, null elsewhere) and ``anchor`` its point on surface (NaN
    elsewhere); ``built`` the shapely MultiPolygon where GEOS made one (None for the
    footprints checked from their bytes); ``outside`` marks features outside China.
    """

    crs: ResolvedCrs
    status: NDArray[np.int8]
    outside: NDArray[np.bool_]
    stored: pa.BinaryArray
    anchor: NDArray[np.float64]
    built: NDArray[np.object_]
    as_read: NDArray[np.object_]  # WGS 84 geometry as read where GEOS parsed it
    wrapped: pa.BinaryArray  # the WKB as read, polygons wrapped as MultiPolygons

    def geometry_as_read(self, i: int) -> shapely.Geometry | None:
        """Feature ``i`` as read (in WGS 84 where converted), for the rejects report."""
        if self.as_read[i] is not None or not self.wrapped[i].is_valid:
            return self.as_read[i]
        return shapely.from_wkb(self.wrapped[i].as_py(), on_invalid="fix")


def clean_shapes(
    wkb: pa.BinaryArray,
    declared: str | None,
    override: CrsLike | None,
    notes: list[str],
    resolved: ResolvedCrs | None = None,
) -> CleanShapes:
    """Recognise the CRS, convert to WGS 84, check, repair and anchor one batch.

    Parameters
    ----------
    wkb : Arrow binary array
        The features' WKB as read (nulls allowed).
    declared, override
        The CRS the file declares and the one the user gave (see :func:`detect_crs`).
    notes : list of str
        Receives a sentence for every assumption made.
    resolved : ResolvedCrs, optional
        The CRS already decided on an earlier batch of the layer.

    Returns
    -------
    CleanShapes

    Raises
    ------
    CrsError, CoordinateError
        As :func:`detect_crs`; and when most features lie outside China (swapped or
        wrong CRS).
    """
    n = len(wkb)
    wrapped = as_multipolygon_wkb(wkb)
    sizes = one_ring_sizes(wrapped)
    candidates = np.flatnonzero((sizes >= 4) & (sizes <= MAX_VERTICES))
    bounds = np.full((n, 4), np.nan)
    anchor = np.full((n, 2), np.nan)
    quick = np.zeros(n, dtype=bool)  # checked from the bytes: stored as read
    if len(candidates):
        rings = check_convex_rings(
            ring_coordinates(wrapped.take(pa.array(candidates))), sizes[candidates]
        )
        big = rings.convex & (area_m2(rings.area, rings.bounds) >= MIN_AREA_M2 * (1 + 1e-9))
        quick[candidates[big]] = True
        bounds[candidates[big]], anchor[candidates[big]] = rings.bounds[big], rings.anchor[big]
    geoms = np.full(n, None, dtype=object)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="geometry") as pool:
        slow = np.flatnonzero(~quick)
        geoms[slow] = _in_halves(pool, _parse_wkb, wrapped.take(pa.array(slow)))
        bounds[slow] = shapely.bounds(geoms[slow])
        if resolved is None:
            resolved = _detect_crs(declared, bounds, override=override, notes=notes)
        if resolved.srid != WGS84_SRID and quick.any():  # converted: all through GEOS
            again = np.flatnonzero(quick)
            geoms[again] = _in_halves(pool, _parse_wkb, wrapped.take(pa.array(again)))
            quick[:] = False
            slow = np.arange(n)
        if resolved.geographic:
            outside = _outside_china(bounds, resolved)
        wgs = geoms
        if resolved.srid != WGS84_SRID:  # every feature is in ``slow`` then
            wgs = np.asarray(to_wgs84(geoms, resolved.name, check=False), dtype=object)
        if not resolved.geographic:
            outside = _outside_china(shapely.bounds(wgs), resolved)
        fixed, fixed_status = _in_halves(pool, repair_polygons, wgs[slow])
    built = np.full(n, None, dtype=object)
    status = np.full(n, OK, dtype=np.int8)
    built[slow], status[slow] = fixed, fixed_status
    usable = np.flatnonzero(~shapely.is_missing(built))
    anchor[usable] = shapely.get_coordinates(shapely.point_on_surface(built[usable]))
    stored = _stored_wkb(wrapped, built, status, quick, resolved)
    return CleanShapes(resolved, status, outside, stored, anchor, built, wgs, wrapped)


# -- CRS --------------------------------------------------------------------------------
def detect_crs(
    declared: str | None,
    geometries: NDArray[np.object_],
    *,
    override: CrsLike | None = None,
    notes: list[str] | None = None,
) -> ResolvedCrs:
    """Decide the CRS of a layer from its declaration, ``override`` and its coordinates.

    Parameters
    ----------
    declared : str or None
        The CRS the file declares (WKT or ``"EPSG:xxxx"``), None when it has none.
    geometries : array of shapely geometries
        The layer's geometries as read, used when the file declares no CRS.
    override : CRS-like, optional
        What the user says the coordinates are (``"gcj02"``, ``"bd09"``, ``"EPSG:4547"``).
    notes : list of str, optional
        Receives a sentence for every assumption made.

    Raises
    ------
    CrsError
        Unsupported CRS; ``gcj02``/``bd09`` asked for projected data; no CRS and
        coordinates that are not longitude/latitude in China.
    CoordinateError
        No CRS and coordinates that are lon/lat in China once swapped.

    Examples
    --------
    >>> from shapely import box
    >>> detect_crs(None, [box(114.0, 22.5, 114.001, 22.501)]).name
    'EPSG:4326'
    >>> detect_crs("EPSG:4326", [box(114.0, 22.5, 114.001, 22.501)], override="gcj02").name
    'gcj02'
    """
    return _detect_crs(
        declared, shapely.bounds(np.asarray(geometries, dtype=object)), override, notes
    )


def _detect_crs(
    declared: str | None,
    bounds: NDArray[np.float64],
    override: CrsLike | None = None,
    notes: list[str] | None = None,
) -> ResolvedCrs:
    """:func:`detect_crs` from the features' bounds (minx, miny, maxx, maxy; NaN rows for
    empty features)."""
    notes = notes if notes is not None else []
    found = resolve_crs(declared) if declared else None
    if override is not None:
        wanted = resolve_crs(override)
        if wanted.srid is None and found is not None and not found.geographic:
            raise CrsError(
                f"{wanted.label} coordinates are longitude/latitude, but the file "
                f"declares {found.name} ({found.label}); drop --from or fix the file"
            )
        if found is not None and wanted.srid is not None and wanted.srid != found.srid:
            notes.append(f"the file declares {found.name}; read as {wanted.name} as asked")
        return wanted
    if found is not None:
        return found
    bounds = bounds[~np.isnan(bounds[:, 0])]
    if len(bounds) == 0:
        return resolve_crs(WGS84_SRID)
    x, y = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    if _inside(x, y).mean() >= 0.5:
        notes.append(
            "the file declares no CRS; its coordinates are longitude/latitude in China, "
            "so WGS 84 is assumed (use --from gcj02 or bd09 for web-map coordinates)"
        )
        return resolve_crs(WGS84_SRID)
    if _inside(y, x).mean() >= 0.5:
        check_lonlat_in_china(x, y)  # raises "coordinates look swapped"
    raise CrsError(
        f"the file declares no CRS and its coordinates (x {np.min(x):.7g}…{np.max(x):.7g}, "
        f"y {np.min(y):.7g}…{np.max(y):.7g}) are not longitude/latitude in China: give the "
        "CRS with --from, e.g. --from EPSG:4547 for CGCS2000 Gauss-Krüger 114°E"
    )


def _inside(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.bool_]:
    min_lon, min_lat, max_lon, max_lat = CHINA_BOUNDS
    return np.asarray((x >= min_lon) & (x <= max_lon) & (y >= min_lat) & (y <= max_lat))


def _outside_china(bounds: NDArray[np.float64], crs: ResolvedCrs) -> NDArray[np.bool_]:
    """Features (given by their bounds) outside China; refuse the file when most are
    (swapped or wrong CRS)."""
    known = ~np.isnan(bounds[:, 0])
    inside = _inside(bounds[:, 0], bounds[:, 1]) & _inside(bounds[:, 2], bounds[:, 3])
    outside = known & ~inside
    if outside.sum() * 2 > known.sum():
        x, y = bounds[outside][:, [0, 2]].ravel(), bounds[outside][:, [1, 3]].ravel()
        if crs.geographic:
            check_lonlat_in_china(x, y, crs_label=crs.label)
        try:
            check_lonlat_in_china(x, y)
        except CoordinateError as exc:
            raise CoordinateError(
                f"after converting from {crs.name} ({crs.label}): {exc}; "
                "is the declared CRS right (or are x and y swapped)?"
            ) from exc
    return outside


def _in_halves(pool: ThreadPoolExecutor, work: Callable, values: Any) -> Any:
    """``work(values)``, on two halves at once when there are many (GEOS releases the
    GIL); tuples of arrays are joined member by member."""
    if len(values) < _SPLIT_MIN:
        return work(values)
    half = len(values) // 2
    first, second = pool.map(work, (values[:half], values[half:]))
    if isinstance(first, tuple):
        return tuple(np.concatenate(pair) for pair in zip(first, second, strict=True))
    return np.concatenate([first, second])


def _parse_wkb(wkb: pa.BinaryArray) -> NDArray[np.object_]:
    """Geometries of WKB values, fixing what the parser can fix (unclosed rings), in 2D."""
    geoms = shapely.from_wkb(wkb.to_numpy(zero_copy_only=False), on_invalid="fix")
    if shapely.has_z(geoms).any():
        geoms = shapely.force_2d(geoms)
    return np.asarray(geoms, dtype=object)


def _stored_wkb(
    wrapped: pa.BinaryArray,
    built: NDArray[np.object_],
    status: NDArray[np.int8],
    quick: NDArray[np.bool_],
    resolved: ResolvedCrs,
) -> pa.BinaryArray:
    """The WKB to store: the bytes as read where they are exactly the footprint (checked
    from the bytes, or parsed in WGS 84 and left alone), else the footprint written
    anew; null where there is no footprint."""
    exact = quick.copy()
    unchanged = np.flatnonzero(~quick & (status == OK) & ~shapely.is_missing(built))
    if resolved.srid == WGS84_SRID and len(unchanged):
        exact[unchanged] = exact_multipolygon_wkb(
            wrapped.take(pa.array(unchanged)), built[unchanged]
        )
    stored = pc.if_else(pa.array(exact), wrapped, pa.scalar(None, pa.binary()))
    written = np.flatnonzero(~exact & ~shapely.is_missing(built))
    if len(written) == 0:
        return stored
    mask = np.zeros(len(wrapped), dtype=bool)
    mask[written] = True
    anew = wkb_array(shapely.to_wkb(built[written], byte_order=1, output_dimension=2))
    return pc.replace_with_mask(stored, pa.array(mask), anew)
