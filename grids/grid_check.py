"""Check the basic grids (基础网格) of one community: tiling, buildings, household balance.

:func:`check_grids` is what ``blockgrid grids check`` prints per community. The tiling
verdict comes from :func:`grids.coverage.check_tiling` (the same check every level of
the hierarchy passes); this module adds where the gaps and overlaps are, which
buildings are lost or doubled, the grid codes and the household balance. Areas are
measured like ``check_tiling`` does: pieces are cut in WGS 84, where edges are straight
as PostGIS stores them, then projected to EPSG:4547 — after densifying edges to 50 m,
so that the projection's bending of long straight edges does not show up as area.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import MultiPolygon, Polygon

from gis.crs import from_wgs84
from grids.codes import CodeError, Level, validate_area_code
from grids.coverage import MEASURE_SRID, check_tiling
from grids.partition import BasicGrid, as_lonlat, grid_sequence_order
from grids.partition_balance import DEFAULT_TARGET

__all__ = [
    "GridCheckReport",
    "HouseholdBalance",
    "Overlap",
    "Patch",
    "check_grids",
]

_LISTED_FRACTION = 0.01  # pieces below this share of the tolerance are not listed
_DENSIFY_DEG = 5e-4  # ~50 m: the plane bends shorter edges by well under a millimetre


@dataclass(frozen=True)
class Patch:
    """A gap between grids, or grid area spilling outside the community."""

    area_m2: float
    location: tuple[float, float]  # (lon, lat) of a point inside the patch


@dataclass(frozen=True)
class Overlap:
    """Area claimed by two grids at once."""

    codes: tuple[str, str]
    area_m2: float
    location: tuple[float, float]


@dataclass(frozen=True)
class HouseholdBalance:
    """Households per grid against the target range (inclusive)."""

    target: tuple[int, int]
    total: int
    minimum: int
    maximum: int
    mean: float
    std: float
    below: tuple[str, ...]  # grid codes under target[0]
    above: tuple[str, ...]  # grid codes over target[1]


@dataclass(frozen=True)
class GridCheckReport:
    """Everything :func:`check_grids` found; ``ok`` says whether the grids are sound.

    Household balance and numbering order are reported but do not affect ``ok``.
    """

    community_code: str | None
    grid_count: int
    building_count: int
    tiling_ok: bool  # the verdict of grids.coverage.check_tiling
    tolerance_m2: float
    gap_area_m2: float
    gaps: tuple[Patch, ...]
    spill_area_m2: float
    spills: tuple[Patch, ...]
    overlap_area_m2: float
    overlaps: tuple[Overlap, ...]
    orphan_buildings: tuple[int, ...]  # listed by no grid
    multi_grid_buildings: tuple[int, ...]  # listed by more than one grid
    misplaced_buildings: tuple[int, ...]  # listed by a grid that does not cover the point
    outside_buildings: tuple[int, ...]  # point in no grid (fine if just outside the community)
    non_contiguous_grids: tuple[str, ...]
    invalid_grids: tuple[str, ...]
    code_problems: tuple[str, ...]
    numbering_follows_rule: bool
    balance: HouseholdBalance

    @property
    def ok(self) -> bool:
        """The grids tile the community and have no building or code problems."""
        return (
            self.tiling_ok
            and not self.orphan_buildings
            and not self.multi_grid_buildings
            and not self.misplaced_buildings
            and not self.non_contiguous_grids
            and not self.invalid_grids
            and not self.code_problems
        )

    def summary_lines(self) -> list[str]:
        """Human-readable lines, the first one a verdict (for the CLI)."""
        b = self.balance
        lines = [
            f"{self.community_code or 'community'}: {self.grid_count} grids, "
            f"{self.building_count} buildings, {b.total} households — "
            + ("OK" if self.ok else "PROBLEMS"),
            f"  gaps {self.gap_area_m2:.3f} m², spill {self.spill_area_m2:.3f} m², "
            f"overlaps {self.overlap_area_m2:.3f} m² (tolerance {self.tolerance_m2:g} m²)",
            f"  households per grid: min {b.minimum}, max {b.maximum}, mean {b.mean:.1f}, "
            f"std {b.std:.1f}; {len(b.below)} below and {len(b.above)} above "
            f"{b.target[0]}–{b.target[1]}",
        ]
        for patch in self.gaps:
            lines.append(f"  gap {patch.area_m2:.2f} m² at {_where(patch.location)}")
        for patch in self.spills:
            lines.append(
                f"  outside the community {patch.area_m2:.2f} m² at {_where(patch.location)}"
            )
        for overlap in self.overlaps:
            first, second = overlap.codes
            lines.append(f"  overlap {first}/{second} {overlap.area_m2:.2f} m²")
        named = {
            "buildings in no grid": self.orphan_buildings,
            "buildings in several grids": self.multi_grid_buildings,
            "buildings listed by a grid that does not contain them": self.misplaced_buildings,
            "buildings outside every grid": self.outside_buildings,
            "grids in several parts": self.non_contiguous_grids,
            "invalid grid geometries": self.invalid_grids,
        }
        for label, items in named.items():
            if items:
                shown = ", ".join(str(item) for item in items[:10])
                lines.append(f"  {len(items)} {label}: {shown}{' …' if len(items) > 10 else ''}")
        lines.extend(f"  code: {problem}" for problem in self.code_problems)
        if not self.numbering_follows_rule:
            lines.append("  sequence numbers do not run west→east, north→south")
        return lines


def _where(location: tuple[float, float]) -> str:
    return f"({location[0]:.6f}, {location[1]:.6f})"


def _area_m2(geometries: NDArray[np.object_]) -> NDArray[np.float64]:
    """Areas in m² on the measuring plane of :mod:`grids.coverage` (edges densified first)."""
    plane = from_wgs84(shapely.segmentize(geometries, _DENSIFY_DEG), MEASURE_SRID)
    return np.asarray(shapely.area(plane), dtype=np.float64)


def check_grids(
    community_polygon: Polygon | MultiPolygon,
    grids: Sequence[BasicGrid],
    building_points: ArrayLike | Sequence[shapely.Point],
    *,
    target: tuple[int, int] = DEFAULT_TARGET,
    tolerance_m2: float = 1.0,
    community_code: str | None = None,
) -> GridCheckReport:
    """Check that ``grids`` tile the community and hold every building exactly once.

    Parameters
    ----------
    community_polygon : shapely.Polygon or shapely.MultiPolygon
        The community (社区) boundary, WGS 84 lon/lat.
    grids : sequence of BasicGrid
        The community's grids; ``building_indices`` index ``building_points``.
    building_points : array_like of shape (N, 2) or sequence of shapely.Point
        All buildings of the community, (lon, lat).
    target : (int, int), default (300, 500)
        Wanted households per grid, for the balance section.
    tolerance_m2 : float, default 1.0
        Gap, spill and overlap area each accepted as numerical noise (or a millionth of
        the community's area if larger, as in :func:`grids.coverage.check_tiling`, which
        also refuses any pair of grids overlapping by more than 0.01 m²). Pieces of at
        least 1 % of it are listed with their location.
    community_code : str, optional
        Expected 12-digit prefix of the grid codes (default: taken from the codes).

    Returns
    -------
    GridCheckReport

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from grids.partition import partition_community
    >>> community = box(114.05, 22.54, 114.06, 22.55)
    >>> points = [(114.052, 22.545), (114.058, 22.545)]
    >>> grids = partition_community("440304001001", community, points, [400, 380])
    >>> report = check_grids(community, grids, points)
    >>> report.ok, report.grid_count, report.balance.minimum, report.orphan_buildings
    (True, 2, 380, ())
    """
    geoms = np.array([grid.polygon for grid in grids], dtype=object)
    codes = [grid.code for grid in grids]
    # Densified copies: check_tiling projects the pieces it cuts, and a long sliver
    # projected corner to corner shows the bend of its edges as area (~1 m² per km).
    tiling = check_tiling(
        shapely.segmentize(community_polygon, _DENSIFY_DEG),
        dict(enumerate(shapely.segmentize(geoms, _DENSIFY_DEG))),
        tolerance_m2=tolerance_m2,
        allow_islands=False,
    )
    broken = {_index(key) for key in tiling.invalid}
    usable = np.array(
        [shapely.make_valid(g) if i in broken else g for i, g in enumerate(geoms)], dtype=object
    )
    listing = tolerance_m2 * _LISTED_FRACTION
    covered = shapely.union_all([g for i, g in enumerate(geoms) if i not in broken])
    gaps: tuple[Patch, ...] = ()
    spills: tuple[Patch, ...] = ()
    if tiling.gap_area_m2 >= listing:
        gaps = _patches(shapely.difference(community_polygon, covered), listing)
    if tiling.outside_area_m2 >= listing:
        spills = _patches(shapely.difference(covered, community_polygon), listing)
    lonlat = as_lonlat(building_points)
    buildings = _check_buildings(grids, usable, lonlat)
    code_problems = _code_problems(codes, community_code)
    order = grid_sequence_order(list(usable)) if len(usable) else np.zeros(0, dtype=np.int64)
    sequences = [grid.code[12:] for grid in grids]
    follows = sequences == sorted(sequences) and order.tolist() == list(range(len(grids)))
    return GridCheckReport(
        community_code=community_code or (codes[0][:12] if codes else None),
        grid_count=len(grids),
        building_count=len(lonlat),
        tiling_ok=tiling.ok,
        tolerance_m2=tiling.tolerance_m2,
        gap_area_m2=tiling.gap_area_m2,
        gaps=gaps,
        spill_area_m2=tiling.outside_area_m2,
        spills=spills,
        overlap_area_m2=tiling.overlap_area_m2,
        overlaps=_overlaps(usable, codes, tiling.overlapping),
        orphan_buildings=buildings[0],
        multi_grid_buildings=buildings[1],
        misplaced_buildings=buildings[2],
        outside_buildings=buildings[3],
        non_contiguous_grids=tuple(codes[_index(key)] for key in tiling.non_contiguous),
        invalid_grids=tuple(
            f"{codes[i]}: {shapely.is_valid_reason(geoms[i])}" for i in sorted(broken)
        ),
        code_problems=code_problems,
        numbering_follows_rule=follows,
        balance=_balance(grids, target),
    )


def _index(key: Hashable) -> int:
    """The grid index that keyed a grid in :func:`check_tiling`."""
    return cast(int, key)


def _patches(area: shapely.Geometry, listing: float) -> tuple[Patch, ...]:
    """The polygonal parts of ``area`` of at least ``listing`` m², largest first."""
    parts = shapely.get_parts(area)
    parts = parts[shapely.get_type_id(parts) == 3]
    sizes = _area_m2(parts)
    listed = np.argsort(-sizes, kind="stable")
    listed = listed[sizes[listed] >= listing]
    spots = shapely.get_coordinates(shapely.point_on_surface(parts[listed]))
    return tuple(
        Patch(area_m2=float(sizes[i]), location=(float(x), float(y)))
        for i, (x, y) in zip(listed, spots, strict=True)
    )


def _overlaps(
    geoms: NDArray[np.object_], codes: list[str], pairs: Sequence[tuple[Hashable, Hashable]]
) -> tuple[Overlap, ...]:
    """Area and location of each overlapping pair of grids, largest first."""
    if not pairs:
        return ()
    first = np.array([_index(a) for a, _ in pairs], dtype=np.int64)
    second = np.array([_index(b) for _, b in pairs], dtype=np.int64)
    shared = shapely.intersection(geoms[first], geoms[second])
    sizes = _area_m2(shared)
    spots = shapely.get_coordinates(shapely.point_on_surface(shared))
    return tuple(
        Overlap(
            codes=(codes[first[i]], codes[second[i]]),
            area_m2=float(sizes[i]),
            location=(float(spots[i, 0]), float(spots[i, 1])),
        )
        for i in np.argsort(-sizes, kind="stable")
    )


def _check_buildings(
    grids: Sequence[BasicGrid], geoms: NDArray[np.object_], lonlat: NDArray[np.float64]
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Orphan, multi-grid, misplaced and outside buildings, as sorted index tuples."""
    count = len(lonlat)
    listed = np.concatenate(
        [np.asarray(grid.building_indices, dtype=np.int64).reshape(-1) for grid in grids]
        or [np.zeros(0, dtype=np.int64)]
    )
    owner = np.repeat(
        np.arange(len(grids)), [np.asarray(g.building_indices).size for g in grids]
    ).astype(np.int64)
    known = (listed >= 0) & (listed < count)
    listed, owner = listed[known], owner[known]
    times = np.bincount(listed, minlength=count)
    if count == 0 or len(geoms) == 0:
        inside = np.zeros((2, 0), dtype=np.int64)
    else:
        inside = shapely.STRtree(geoms).query(shapely.points(lonlat), predicate="covered_by")
    covered_any = np.zeros(count, dtype=bool)
    covered_any[inside[0]] = True
    key = len(geoms) + 1
    holds = np.isin(listed * key + owner, inside[0] * key + inside[1])
    misplaced = np.unique(listed[~holds & covered_any[listed]])

    def as_tuple(indices: NDArray[np.int64]) -> tuple[int, ...]:
        return tuple(int(i) for i in indices)

    return (
        as_tuple(np.flatnonzero(times == 0)),
        as_tuple(np.flatnonzero(times > 1)),
        as_tuple(misplaced),
        as_tuple(np.flatnonzero(~covered_any)),
    )


def _code_problems(codes: list[str], community_code: str | None) -> tuple[str, ...]:
    """Malformed, duplicate or foreign grid codes."""
    problems = []
    prefix = community_code or (codes[0][:12] if codes else "")
    for code in codes:
        try:
            validate_area_code(code, Level.GRID)
        except CodeError as exc:
            problems.append(str(exc))
            continue
        if not code.startswith(prefix):
            problems.append(f"grid {code} is not in community {prefix}")
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            problems.append(f"grid code {code} is used twice")
        seen.add(code)
    return tuple(problems)


def _balance(grids: Sequence[BasicGrid], target: tuple[int, int]) -> HouseholdBalance:
    """Household statistics per grid."""
    counts = np.array([grid.households for grid in grids], dtype=np.int64)
    lo, hi = target
    return HouseholdBalance(
        target=(int(lo), int(hi)),
        total=int(counts.sum()),
        minimum=int(counts.min()) if len(counts) else 0,
        maximum=int(counts.max()) if len(counts) else 0,
        mean=float(counts.mean()) if len(counts) else 0.0,
        std=float(counts.std()) if len(counts) else 0.0,
        below=tuple(g.code for g, n in zip(grids, counts, strict=True) if n < lo),
        above=tuple(g.code for g, n in zip(grids, counts, strict=True) if n > hi),
    )
