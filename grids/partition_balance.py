"""Household balance for the basic-grid partition (基础网格划分): group building sites.

The grouping works on building sites in a planar metric CRS (metres), before any grid
polygon exists:

- :func:`choose_grid_count` — how many grids a community gets;
- :func:`split_by_households` — the k-d style recursive split on household counts;
- :func:`site_graph` — which sites are neighbours (Gabriel edges inside the community);
- :func:`connect_groups` — each group becomes one connected piece of that graph;
- :func:`rebalance_groups` — boundary sites move from grids outside the target to
  neighbouring grids while that brings every grid closer to the target.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DEFAULT_TARGET",
    "choose_grid_count",
    "connect_groups",
    "rebalance_groups",
    "site_graph",
    "split_by_households",
]

#: Households per basic grid commonly cited in practice (SPEC §2.1).
DEFAULT_TARGET: tuple[int, int] = (300, 500)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
Edges = tuple[IntArray, IntArray]


def choose_grid_count(total_households: int, target: tuple[int, int] = DEFAULT_TARGET) -> int:
    """Pick how many grids a community of ``total_households`` households gets.

    ``round(total / midpoint)``, clamped to ``[ceil(total / hi), floor(total / lo)]``
    when that range is not empty (then the mean grid lies inside the target); a
    community with fewer than ``lo`` households gets one grid.

    Examples
    --------
    >>> [choose_grid_count(n) for n in (0, 299, 550, 1000, 2000, 4400)]
    [1, 1, 1, 3, 5, 11]
    """
    lo, hi = target
    if total_households < lo:
        return 1
    count = math.floor(total_households / ((lo + hi) / 2) + 0.5)
    fewest, most = math.ceil(total_households / hi), math.floor(total_households / lo)
    if fewest <= most:
        count = min(max(count, fewest), most)
    return max(count, 1)


def split_by_households(xy: ArrayLike, weights: ArrayLike, count: int) -> IntArray:
    """Split weighted points into ``count`` groups of about equal weight (k-d style).

    Each step sorts the points along the longer side of their bounding box (ties by
    the other axis) and cuts where the running weight best matches the share of the
    groups sent to each side (``count // 2`` to the low side, or for an odd ``count``
    whichever of the two halves fits better); among equally good cuts the middle one
    is taken, so zero-weight points are shared out. Every group gets at least one
    point of positive weight.

    Parameters
    ----------
    xy : array_like, shape (N, 2)
        Planar coordinates (metres).
    weights : array_like, shape (N,)
        Non-negative weights (households).
    count : int
        Number of groups, at most the number of positive-weight points (or 1).

    Returns
    -------
    numpy.ndarray
        Group number (0..count-1) of each point; groups are numbered low side first.

    Raises
    ------
    ValueError
        If ``count`` is below 1 or above the number of positive-weight points.

    Examples
    --------
    >>> split_by_households([[0, 0], [1, 0], [2, 0], [3, 0]], [1, 1, 1, 1], 2).tolist()
    [0, 0, 1, 1]
    """
    points = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    mass = np.asarray(weights, dtype=np.float64).reshape(-1)
    positive = int(np.count_nonzero(mass > 0))
    if count < 1 or (count > 1 and count > positive):
        raise ValueError(f"cannot split {positive} positive-weight points into {count} groups")
    group = np.zeros(len(points), dtype=np.int64)
    _split(np.arange(len(points), dtype=np.int64), count, 0, points, mass, group)
    return group


def _split(
    members: IntArray, count: int, first: int, xy: FloatArray, mass: FloatArray, out: IntArray
) -> None:
    if count == 1:
        out[members] = first
        return
    sub = xy[members]
    extent = sub.max(axis=0) - sub.min(axis=0)
    axis = 0 if extent[0] >= extent[1] else 1
    members = members[np.lexsort((sub[:, 1 - axis], sub[:, axis]))]
    running = np.cumsum(mass[members])
    positive = np.cumsum(mass[members] > 0)
    total, mean = running[-1], running[-1] / count
    best: tuple[float, int, int] | None = None
    for low_count in sorted({count // 2, count - count // 2}):
        feasible = (positive[:-1] >= low_count) & (
            positive[-1] - positive[:-1] >= count - low_count
        )
        error = np.maximum(
            np.abs(running[:-1] / low_count - mean),
            np.abs((total - running[:-1]) / (count - low_count) - mean),
        )
        error[~feasible] = np.inf
        ties = np.flatnonzero(error <= error.min() + 1e-9)
        candidate = (float(error.min()), int(ties[len(ties) // 2]) + 1, low_count)
        if best is None or candidate[0] < best[0] - 1e-9:
            best = candidate
    assert best is not None
    _, cut, low_count = best
    _split(members[:cut], low_count, first, xy, mass, out)
    _split(members[cut:], count - low_count, first + low_count, xy, mass, out)


def site_graph(xy: ArrayLike, within: shapely.Geometry | None = None) -> Edges:
    """Neighbouring sites: the Gabriel edges that stay inside ``within``, plus bridges.

    A Gabriel edge (a Delaunay edge whose closed diametral circle holds no other site)
    crosses the Voronoi edge between its ends at its midpoint, so two sites joined by
    one that lies inside the community have clipped Voronoi cells sharing a border; a
    group connected in this graph therefore gets a connected region. Where those edges
    leave the sites in several pieces, the shortest other Delaunay edges inside
    ``within`` that join pieces are added (Kruskal style).

    Parameters
    ----------
    xy : array_like, shape (N, 2)
        Distinct planar points.
    within : shapely geometry, optional
        Area in the same CRS; an edge that leaves it (across a bay of a concave
        community) does not make its ends neighbours.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Edge ends ``a < b`` (indices into ``xy``), sorted.

    Examples
    --------
    >>> a, b = site_graph([[0, 0], [1, 0], [0, 1], [1, 1]])  # a square: no diagonal
    >>> list(zip(a.tolist(), b.tolist()))
    [(0, 1), (0, 2), (1, 3), (2, 3)]
    """
    points = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    none = np.zeros(0, dtype=np.int64)
    if len(points) < 2:
        return none, none
    lines = shapely.get_parts(
        shapely.delaunay_triangles(shapely.multipoints(points), only_edges=True)
    )
    if within is not None:
        lines = lines[_covered(lines, within)]
    if len(lines) == 0:
        return none, none
    ends = shapely.get_coordinates(lines)
    keys = points[:, 0] + 1j * points[:, 1]
    order = np.argsort(keys)
    found = order[np.searchsorted(keys[order], ends[:, 0] + 1j * ends[:, 1])]
    if not np.array_equal(points[found], ends):  # pragma: no cover - GEOS copies coordinates
        raise RuntimeError("Delaunay edge ends do not match the input points")
    pairs = np.unique(np.sort(found.reshape(-1, 2), axis=1), axis=0).astype(np.int64)
    a, b = pairs[:, 0], pairs[:, 1]
    half = np.hypot(*(points[a] - points[b]).T) / 2
    hits, _ = shapely.STRtree(shapely.points(points)).query(
        shapely.points((points[a] + points[b]) / 2), predicate="dwithin", distance=half * (1 + 1e-9)
    )
    gabriel = np.bincount(hits, minlength=len(a)) == 2
    return _add_bridges(len(points), a, b, gabriel, half)


def _covered(lines: NDArray[np.object_], area: shapely.Geometry) -> NDArray[np.bool_]:
    """``covered_by(lines, area)``, testing only lines that meet the boundary in full."""
    boundary = shapely.boundary(area)
    shapely.prepare(area)
    shapely.prepare(boundary)
    ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    covered = shapely.contains_xy(area, ends[:, 0, 0], ends[:, 0, 1]) & shapely.contains_xy(
        area, ends[:, 1, 0], ends[:, 1, 1]
    )
    crossing = shapely.intersects(boundary, lines)
    covered[crossing] = shapely.covered_by(lines[crossing], area)
    return np.asarray(covered, dtype=bool)


def _add_bridges(
    size: int, a: IntArray, b: IntArray, chosen: NDArray[np.bool_], length: FloatArray
) -> Edges:
    """Add the shortest other edges that join separate components of the chosen edges."""
    labels = _components(size, a[chosen], b[chosen])
    if len(np.unique(labels[np.r_[a, b]])) > 1:
        parent = {int(label): int(label) for label in np.unique(labels)}

        def root(node: int) -> int:
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        for edge in np.flatnonzero(~chosen)[np.argsort(length[~chosen], kind="stable")]:
            first, second = root(int(labels[a[edge]])), root(int(labels[b[edge]]))
            if first != second:
                parent[max(first, second)] = min(first, second)
                chosen[edge] = True
    return a[chosen], b[chosen]


def _components(size: int, a: IntArray, b: IntArray) -> IntArray:
    """Connected-component label (smallest member index) of each node."""
    labels = np.arange(size, dtype=np.int64)
    while True:
        low = np.minimum(labels[a], labels[b])
        merged = labels.copy()
        np.minimum.at(merged, a, low)
        np.minimum.at(merged, b, low)
        merged = merged[merged]
        if np.array_equal(merged, labels):
            return labels
        labels = merged


def connect_groups(group: ArrayLike, weights: ArrayLike, edges: Edges) -> IntArray:
    """Make each group connected in the site graph.

    Each group keeps its connected piece with the most weight (then the most sites);
    the sites of its other pieces join, round by round, the neighbouring group they
    share the most edges with (ties: the lower group number). Sites with no path to
    any kept piece stay where they were.

    Returns
    -------
    numpy.ndarray
        The new group of each site.

    Examples
    --------
    >>> edges = (np.array([0, 1, 2]), np.array([1, 2, 3]))  # a path 0-1-2-3
    >>> connect_groups([0, 1, 0, 0], [5, 5, 5, 5], edges).tolist()
    [1, 1, 0, 0]
    """
    group = np.asarray(group, dtype=np.int64).copy()
    mass = np.asarray(weights, dtype=np.float64)
    a, b = edges
    same = group[a] == group[b]
    labels = _components(len(group), a[same], b[same])
    roots = np.unique(labels)
    root_weight = np.bincount(labels, weights=mass, minlength=len(group))[roots]
    root_size = np.bincount(labels, minlength=len(group))[roots]
    ranking = np.lexsort((-roots, root_size, root_weight, group[roots]))
    ranked_groups = group[roots][ranking]
    last_of_group = np.r_[ranked_groups[1:] != ranked_groups[:-1], True]
    kept = np.isin(labels, roots[ranking][last_of_group])
    if kept.all():
        return group
    result = np.where(kept, group, -1)
    while True:
        frontier = np.r_[a, b][np.r_[result[a] < 0, result[b] < 0]]
        owner = np.r_[result[b], result[a]][np.r_[result[a] < 0, result[b] < 0]]
        ready = owner >= 0
        if not ready.any():
            break
        site, owner = frontier[ready], owner[ready]
        pairs, votes = np.unique(np.column_stack([site, owner]), axis=0, return_counts=True)
        ranking = np.lexsort((pairs[:, 1], -votes, pairs[:, 0]))
        pairs = pairs[ranking]
        first = np.r_[True, pairs[1:, 0] != pairs[:-1, 0]]
        result[pairs[first, 0]] = pairs[first, 1]
    return np.where(result < 0, group, result)


def rebalance_groups(
    group: ArrayLike,
    weights: ArrayLike,
    edges: Edges,
    target: tuple[int, int] = DEFAULT_TARGET,
    *,
    max_moves: int | None = None,
) -> IntArray:
    """Move boundary sites so that fewer groups fall outside ``target`` (greedy).

    The group furthest outside the target gives one of its border sites to a
    neighbouring group (if too heavy) or takes one from a neighbour (if too light),
    choosing the move that most reduces the sum of squared distances of all groups
    to the target range; a move must not disconnect the giving group in the site
    graph nor leave it without households. Groups inside the target are changed
    only as partners of such moves. Stops when no move helps.

    Returns
    -------
    numpy.ndarray
        The new group of each site.

    Examples
    --------
    >>> edges = (np.array([0, 1, 2]), np.array([1, 2, 3]))  # a path 0-1-2-3
    >>> rebalance_groups([0, 0, 0, 1], [200, 200, 200, 200], edges, (300, 500)).tolist()
    [0, 0, 1, 1]
    """
    group = np.asarray(group, dtype=np.int64).copy()
    mass = np.asarray(weights, dtype=np.float64)
    lo, hi = target
    load = np.bincount(group, weights=mass).astype(np.float64)
    a, b = edges
    source, sink = np.r_[a, b], np.r_[b, a]
    limit = max_moves if max_moves is not None else 4 * len(group) + 100
    stuck: set[int] = set()
    for _ in range(limit):
        miss = np.maximum(np.maximum(load - hi, lo - load), 0.0)
        miss[list(stuck)] = 0.0
        if miss.max() <= 0:
            break
        worst = int(np.argmax(miss))
        move = _best_move(worst, group, mass, load, source, sink, lo, hi)
        if move is None:
            stuck.add(worst)
            continue
        site, receiver = move
        load[group[site]] -= mass[site]
        load[receiver] += mass[site]
        group[site] = receiver
        stuck.clear()
    return group


def _best_move(
    worst: int,
    group: IntArray,
    mass: FloatArray,
    load: FloatArray,
    source: IntArray,
    sink: IntArray,
    lo: float,
    hi: float,
) -> tuple[int, int] | None:
    """The most helpful admissible (site, new group) move involving group ``worst``."""
    if load[worst] > hi:
        pick = (group[source] == worst) & (group[sink] != worst)
    else:
        pick = (group[source] != worst) & (group[sink] == worst)
    site, receiver = source[pick], group[sink[pick]]
    keep = mass[site] > 0
    site, receiver = site[keep], receiver[keep]
    if len(site) == 0:
        return None
    donor, moved = group[site], mass[site]

    def miss(value: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.maximum(np.maximum(value - hi, lo - value), 0.0) ** 2

    gain = (
        miss(load[donor] - moved)
        + miss(load[receiver] + moved)
        - miss(load[donor])
        - miss(load[receiver])
    )
    candidates = np.flatnonzero((gain < -1e-9) & (load[donor] - moved > 0))
    ranked = candidates[np.lexsort((receiver[candidates], site[candidates], gain[candidates]))]
    for index in ranked:
        if _stays_connected(int(site[index]), group, source, sink):
            return int(site[index]), int(receiver[index])
    return None


def _stays_connected(site: int, group: IntArray, source: IntArray, sink: IntArray) -> bool:
    """Whether the group of ``site`` remains connected without it."""
    members = group == group[site]
    inside = members[source] & members[sink] & (source != site) & (sink != site)
    neighbours = np.count_nonzero(members[sink[source == site]])
    if neighbours <= 1:
        return True
    nodes = np.flatnonzero(members)
    nodes = nodes[nodes != site]
    index = np.full(len(group), -1, dtype=np.int64)
    index[nodes] = np.arange(len(nodes))
    labels = _components(len(nodes), index[source[inside]], index[sink[inside]])
    return bool((labels == 0).all())
