"""Weighted tessellation: cut a polygon into contiguous pieces of given relative areas.

Used to synthesise street (街道) and community (社区) polygons inside real district
outlines, and reusable for basic grids (基础网格). The method is a seeded, weighted
recursive bisection: each step cuts the current polygon with one straight line, chosen
among several directions for the shortest cut (compact pieces) that splits off exactly
the area the weights ask for, so every piece is one polygon and the pieces tile the
input exactly (they are produced by splitting, so neighbours share their edges).

Work in a projected (metric) CRS: areas and cut lengths are measured in the plane.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.ops import split as split_geometry

from gis.topology import merge_fragments

__all__ = ["split_polygon"]

FloatArray = NDArray[np.float64]
PolygonalGeometry: TypeAlias = Polygon | MultiPolygon

_MAX_SPLIT_TRIES = 6  # candidate cuts tried before accepting a multi-part split
_BALANCE_COST = 0.3  # cost of an unbalanced split, per unit of weight imbalance
_ANCHOR_COST = 3.0  # cost of an anchor on the wrong side, per sqrt(area) of distance
_EXTRA_CROSSING_COST = 5.0  # cost of each extra pair of boundary crossings of a cut
_JITTER = 0.25  # relative random noise on cut costs (the seed's influence)
_FLAT_EDGE = 1e-12  # edges shorter than this (relative) across the cut are ignored


def split_polygon(
    polygon: PolygonalGeometry,
    weights: Sequence[float] | NDArray[np.float64],
    *,
    seed: int = 0,
    anchors: Sequence[tuple[float, float]] | None = None,
    directions: int = 16,
) -> list[PolygonalGeometry]:
    """Split a polygon into contiguous pieces whose areas are proportional to ``weights``.

    Parameters
    ----------
    polygon : shapely.Polygon or shapely.MultiPolygon
        A valid, non-empty polygonal area in a projected (metric) CRS. The parts of a
        MultiPolygon are shared out among the pieces by area (or by ``anchors``); a part
        that receives no piece (a small island) joins the nearest piece.
    weights : sequence of float or numpy.ndarray
        One positive relative area per piece.
    seed : int, default 0
        Seed of the random choices; the same inputs and seed give the same pieces.
    anchors : sequence of (x, y), optional
        One approximate location per piece (same CRS as ``polygon``). Cuts then keep
        each anchor on its piece's side where they can, so pieces land near their
        anchors. Without anchors, pieces are grouped in the order of ``weights``, so
        consecutive pieces tend to be neighbours.
    directions : int, default 16
        Number of cut directions tried at each step.

    Returns
    -------
    list of shapely.Polygon (or shapely.MultiPolygon)
        One piece per weight, in the order of ``weights``. Pieces do not overlap and
        their union is ``polygon``. A piece is a single Polygon unless it carries
        islands (parts of ``polygon`` that touch no other part).

    Raises
    ------
    ValueError
        On an empty or invalid polygon, no weights, a weight that is not a positive
        finite number, or ``anchors`` of the wrong length.

    Examples
    --------
    >>> from shapely import box
    >>> pieces = split_polygon(box(0, 0, 100, 100), [1, 1, 2], seed=1)
    >>> [round(p.area) for p in pieces]
    [2500, 2500, 5000]
    """
    weight_array = _check_inputs(polygon, weights, anchors)
    anchor_array = None if anchors is None else np.asarray(anchors, dtype=np.float64)
    rng = np.random.default_rng(seed)
    hosts, islands = _share_parts(polygon, weight_array, anchor_array)
    pieces: list[PolygonalGeometry | None] = [None] * len(weight_array)
    for part, items in hosts:
        state = _Bisector(weight_array, anchor_array, rng, max(directions, 1))
        for item, piece in state.run(part, items):
            pieces[item] = piece
    result = [piece if piece is not None else Polygon() for piece in pieces]
    for island in islands:
        nearest = int(np.argmin([island.distance(piece) for piece in result]))
        result[nearest] = shapely.union(result[nearest], island)
    return merge_fragments(result)


def _check_inputs(
    polygon: PolygonalGeometry,
    weights: Sequence[float] | NDArray[np.float64],
    anchors: Sequence[tuple[float, float]] | None,
) -> FloatArray:
    if not isinstance(polygon, Polygon | MultiPolygon) or polygon.is_empty:
        raise ValueError("split_polygon needs a non-empty Polygon or MultiPolygon")
    if not polygon.is_valid:
        raise ValueError(f"split_polygon needs a valid polygon: {shapely.is_valid_reason(polygon)}")
    weight_array = np.asarray(weights, dtype=np.float64)
    if weight_array.ndim != 1 or len(weight_array) == 0:
        raise ValueError("split_polygon needs a non-empty sequence of weights")
    if not np.all(np.isfinite(weight_array) & (weight_array > 0)):
        raise ValueError("every weight must be a positive finite number")
    if anchors is not None and np.shape(anchors) != (len(weight_array), 2):
        raise ValueError(f"anchors must hold one (x, y) per weight ({len(weight_array)})")
    return weight_array


def _share_parts(
    polygon: PolygonalGeometry, weights: FloatArray, anchors: FloatArray | None
) -> tuple[list[tuple[Polygon, list[int]]], list[Polygon]]:
    """Give each part of ``polygon`` its pieces; parts left without one are islands."""
    parts = sorted(shapely.get_parts(polygon), key=lambda part: -part.area)
    count = len(weights)
    if len(parts) == 1:
        return [(parts[0], list(range(count)))], []
    if anchors is not None:
        points = shapely.points(anchors)
        owner = [int(np.argmin(shapely.distance(parts, point))) for point in points]
    else:
        # Largest remainder on the parts' areas, then consecutive runs of pieces.
        areas = np.array([part.area for part in parts])
        quota = areas / areas.sum() * count
        seats = np.floor(quota).astype(int)
        for index in np.argsort(-(quota - seats))[: count - int(seats.sum())]:
            seats[index] += 1
        owner = [int(part) for part in np.repeat(np.arange(len(parts)), seats)]
    hosts = [
        (part, [item for item in range(count) if owner[item] == index])
        for index, part in enumerate(parts)
    ]
    return [host for host in hosts if host[1]], [part for part, items in hosts if not items]


@dataclass
class _Cut:
    """One candidate straight cut: direction, offset and the items on its low side."""

    cost: float
    angle: float
    offset: float
    low_items: list[int]
    high_items: list[int]


class _Bisector:
    """Recursive weighted bisection of one polygon (one connected part)."""

    def __init__(
        self,
        weights: FloatArray,
        anchors: FloatArray | None,
        rng: np.random.Generator,
        directions: int,
    ) -> None:
        self.weights = weights
        self.anchors = anchors
        self.rng = rng
        self.directions = directions

    def run(
        self, polygon: PolygonalGeometry, items: list[int]
    ) -> list[tuple[int, PolygonalGeometry]]:
        done: list[tuple[int, PolygonalGeometry]] = []
        stack: list[tuple[PolygonalGeometry, list[int]]] = [(polygon, items)]
        while stack:
            node, node_items = stack.pop()
            if len(node_items) == 1:
                done.append((node_items[0], node))
                continue
            low, high, cut = self._split(node, node_items)
            stack.append((high, cut.high_items))
            stack.append((low, cut.low_items))
        return done

    def _split(
        self, polygon: PolygonalGeometry, items: list[int]
    ) -> tuple[PolygonalGeometry, PolygonalGeometry, _Cut]:
        """Cut ``polygon`` in two, trying the cheapest candidate cuts first."""
        fallback: tuple[PolygonalGeometry, PolygonalGeometry, _Cut] | None = None
        for cut in self._candidates(polygon, items):
            low, high = _apply_cut(polygon, cut)
            if low.is_empty or high.is_empty:
                continue
            if isinstance(low, Polygon) and isinstance(high, Polygon):
                return low, high, cut
            if fallback is None:
                fallback = (low, high, cut)
        if fallback is None:
            raise RuntimeError("no straight cut splits the polygon")  # pragma: no cover
        return fallback

    def _candidates(self, polygon: PolygonalGeometry, items: list[int]) -> list[_Cut]:
        """The cheapest cuts that split off the weights' share of area, cheapest first.

        Every direction is scored at once: arrays are (direction, edge) or
        (direction, split position). A cut costs its length relative to the width of
        the smaller piece (long cuts make strips), plus penalties for imbalance, for
        crossing the boundary more than twice and for anchors left on the wrong side.
        """
        origin = np.asarray(polygon.centroid.coords[0])
        x0, y0, x1, y1 = (_segments(polygon) - np.tile(origin, 2)).T
        count = self.directions
        angles = self.rng.uniform(0.0, math.pi / count) + np.arange(count) * math.pi / count
        cos, sin = np.cos(angles)[:, None], np.sin(angles)[:, None]
        edges = (x0 * cos + y0 * sin, y0 * cos - x0 * sin, x1 * cos + y1 * sin, y1 * cos - x1 * sin)
        profile = _AreaProfile(*edges)
        area = profile.areas[:, -1:]
        weights = self.weights[items]
        if self.anchors is not None:
            projection = (self.anchors[items] - origin) @ np.vstack([cos[:, 0], sin[:, 0]])
            order = np.argsort(projection, axis=0, kind="stable").T  # (direction, item)
            splits = np.arange(1, len(items))
        else:
            order = np.tile(np.arange(len(items)), (count, 1))
            cumulative = np.cumsum(weights)[:-1] / weights.sum()
            best = int(np.argmin(np.abs(cumulative - 0.5))) + 1
            splits = np.arange(max(best - 1, 1), min(best + 1, len(items) - 1) + 1)
        shares = np.cumsum(weights[order], axis=1)[:, splits - 1] / weights.sum()
        offsets = profile.offsets_for(shares * area)
        crossings, chords = _chords(edges, offsets)
        smaller = np.sqrt(np.maximum(np.minimum(shares, 1.0 - shares) * area, 1e-12))
        costs = chords / smaller + _BALANCE_COST * np.abs(shares - 0.5)
        costs += _EXTRA_CROSSING_COST * np.maximum(crossings - 2, 0) / 2
        if self.anchors is not None:
            ranks = np.argsort(order, axis=1).T  # (item, direction): place along the normal
            low_side = ranks[:, :, None] < splits[None, None, :]
            distance = projection[:, :, None] - offsets[None, :, :]
            wrong = np.where(low_side, np.maximum(distance, 0), np.maximum(-distance, 0))
            costs += _ANCHOR_COST * wrong.sum(axis=0) / np.sqrt(area)
        costs *= 1.0 + _JITTER * self.rng.random(costs.shape)
        cuts = []
        for flat in np.argsort(costs, axis=None, kind="stable")[:_MAX_SPLIT_TRIES]:
            row, column = divmod(int(flat), len(splits))
            split_at = int(splits[column])
            normal = np.array([cos[row, 0], sin[row, 0]])
            cuts.append(
                _Cut(
                    cost=float(costs[row, column]),
                    angle=float(angles[row]),
                    offset=float(offsets[row, column] + origin @ normal),
                    low_items=[items[i] for i in order[row, :split_at]],
                    high_items=[items[i] for i in order[row, split_at:]],
                )
            )
        return cuts


def _segments(polygon: PolygonalGeometry) -> FloatArray:
    """Edges (x0, y0, x1, y1) of all rings, exteriors counter-clockwise, holes clockwise."""
    oriented = shapely.orient_polygons(polygon)
    rows = []
    for ring in shapely.get_rings(shapely.get_parts(oriented)):
        coords = shapely.get_coordinates(ring)
        rows.append(np.hstack([coords[:-1], coords[1:]]))
    return np.vstack(rows)


class _AreaProfile:
    """Exact area of a polygon below the line ``u = t`` as a function of ``t``, per direction.

    The width of the polygon along ``u = t`` is piecewise linear in ``t`` (its slope
    changes at vertices), so the area below is piecewise quadratic: it is tabulated at
    the vertices and inverted exactly between them. Arrays are (direction, edge).
    """

    def __init__(self, u0: FloatArray, v0: FloatArray, u1: FloatArray, v1: FloatArray) -> None:
        du = u1 - u0
        # Edges (almost) along the cut direction add no width; skipping them also keeps
        # huge slopes out of the running sums below.
        moving = np.abs(du) > _FLAT_EDGE * (np.abs(u0).max() + np.abs(u1).max() + 1.0)
        slope = np.divide(v1 - v0, du, out=np.zeros_like(du), where=moving)
        # The area is the integral of -v du: an edge running towards +u takes its
        # v(t) = v0 + slope (t - u0) off the width, one running back adds it.
        sign = np.where(moving, np.where(du > 0, -1.0, 1.0), 0.0)
        a = sign * (v0 - slope * u0)
        b = sign * slope
        ends = np.concatenate([np.minimum(u0, u1), np.maximum(u0, u1)], axis=1)
        order = np.argsort(ends, axis=1, kind="stable")
        self.breaks = np.take_along_axis(ends, order, axis=1)
        # Width on [break k, break k+1) is a[k] + b[k] * t.
        da = np.take_along_axis(np.concatenate([a, -a], axis=1), order, axis=1)
        db = np.take_along_axis(np.concatenate([b, -b], axis=1), order, axis=1)
        self.a = np.cumsum(da, axis=1)
        self.b = np.cumsum(db, axis=1)
        t0, t1 = self.breaks[:, :-1], self.breaks[:, 1:]
        steps = self.a[:, :-1] * (t1 - t0) + self.b[:, :-1] * (t1 * t1 - t0 * t0) / 2
        zero = np.zeros((len(steps), 1))
        self.areas = np.concatenate([zero, np.cumsum(np.maximum(steps, 0.0), axis=1)], axis=1)

    def offsets_for(self, targets: FloatArray) -> FloatArray:
        """The offsets ``t`` at which the area below equals ``targets`` (direction, k)."""
        rows = np.arange(len(self.areas))[:, None]
        index = np.empty(targets.shape, dtype=np.int64)
        for row in range(len(self.areas)):
            index[row] = np.searchsorted(self.areas[row], targets[row])
        index = np.clip(index - 1, 0, self.breaks.shape[1] - 2)
        start = self.breaks[rows, index]
        rest = np.maximum(targets - self.areas[rows, index], 0.0)
        a, b = self.a[rows, index], self.b[rows, index]
        width = np.maximum(a + b * start, 0.0)
        # Solve b/2 s^2 + width s = rest for the step s, in a cancellation-free form.
        root = np.sqrt(np.maximum(width * width + 2 * b * rest, 0.0))
        denominator = width + root
        step = np.divide(2 * rest, denominator, out=np.zeros_like(rest), where=denominator > 0)
        result: FloatArray = start + np.minimum(step, self.breaks[rows, index + 1] - start)
        return result


def _chords(
    edges: tuple[FloatArray, ...], offsets: FloatArray
) -> tuple[NDArray[np.int64], FloatArray]:
    """Boundary crossings of each line ``u = offset`` and the line's length inside.

    ``edges`` are (direction, edge) arrays, ``offsets`` (direction, k); results (direction, k).
    """
    u0, v0, u1, v1 = (edge[:, :, None] for edge in edges)
    t = offsets[:, None, :]
    crossing = (u0 - t) * (u1 - t) < 0
    fraction = np.divide(t - u0, u1 - u0, out=np.zeros(crossing.shape), where=crossing)
    v = np.sort(np.where(crossing, v0 + fraction * (v1 - v0), np.nan), axis=1)  # NaN last
    if v.shape[1] % 2:
        v = np.concatenate([v, np.full((v.shape[0], 1, v.shape[2]), np.nan)], axis=1)
    lengths: FloatArray = np.nansum(v[:, 1::2] - v[:, 0::2], axis=1)
    return crossing.sum(axis=1), lengths


def _apply_cut(
    polygon: PolygonalGeometry, cut: _Cut
) -> tuple[PolygonalGeometry, PolygonalGeometry]:
    """Split along the cut line; pieces below the offset form the low side."""
    normal = np.array([math.cos(cut.angle), math.sin(cut.angle)])
    along = np.array([-normal[1], normal[0]])
    minx, miny, maxx, maxy = polygon.bounds
    centre = np.array([(minx + maxx) / 2, (miny + maxy) / 2])
    reach = math.hypot(maxx - minx, maxy - miny) + 1.0
    foot = centre + (cut.offset - float(centre @ normal)) * normal
    line = LineString([foot - reach * along, foot + reach * along])
    pieces = list(shapely.get_parts(split_geometry(polygon, line)))
    points = shapely.get_coordinates(shapely.point_on_surface(pieces))
    below = points @ normal < cut.offset
    low = shapely.union_all([p for p, b in zip(pieces, below, strict=True) if b])
    high = shapely.union_all([p for p, b in zip(pieces, below, strict=True) if not b])
    return low, high
