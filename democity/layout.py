"""Building placement (建筑布局) in one community: a street grid, blocks and lots.

The community gets its own street grid, turned by a random angle: square blocks
(街区) of 130–200 m between streets 14–26 m wide. Blocks are visited from the
community's centre outwards (with noise), and each kind of building fills them in
rows of lots (shelf packing): offices and malls first, so they sit in the centre, then
shops, estates and the urban villages, factories last at the edge. A building is a
rectangle inside its lot, so footprints never overlap; lots whose building would
leave the community are skipped. Urban-village lots are 14.5 × 15.5 m for 12 × 13 m
buildings: the 握手楼 ("handshake buildings") 1.5–2.5 m apart.

Work happens in a local plane in metres (equirectangular around the community's
centroid, as :mod:`grids.partition` does) and is converted back to WGS 84 at the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from democity.profiles import BUILDING_KINDS, KIND_NAMES, BuildingKind

__all__ = ["Layout", "LocalFrame", "place_buildings", "sidewalk_points"]

_METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180.0
_BOUNDARY_MARGIN_M = 2.0
#: the order in which kinds take lots: centre first, edge last
_FILL_ORDER = (
    "office",
    "mall",
    "mixed",
    "shop",
    "tower",
    "walkup",
    "uv",
    "school",
    "clinic",
    "civic",
    "dorm",
    "factory",
    "other",
)


@dataclass(frozen=True)
class LocalFrame:
    """The community's plane: metres east/north of ``origin`` turned by ``angle`` (radians)."""

    origin: tuple[float, float]
    angle: float

    @property
    def _scale(self) -> NDArray[np.float64]:
        return np.array(
            [_METRES_PER_DEGREE * math.cos(math.radians(self.origin[1])), _METRES_PER_DEGREE]
        )

    def to_plane(self, lonlat: NDArray[np.float64]) -> NDArray[np.float64]:
        """(lon, lat) → (u, v) metres along the street grid."""
        xy = (np.asarray(lonlat) - self.origin) * self._scale
        c, s = math.cos(self.angle), math.sin(self.angle)
        return np.column_stack([xy[:, 0] * c + xy[:, 1] * s, -xy[:, 0] * s + xy[:, 1] * c])

    def to_lonlat(self, uv: NDArray[np.float64]) -> NDArray[np.float64]:
        """(u, v) metres → (lon, lat)."""
        uv = np.asarray(uv, dtype=np.float64).reshape(-1, 2)
        c, s = math.cos(self.angle), math.sin(self.angle)
        xy = np.column_stack([uv[:, 0] * c - uv[:, 1] * s, uv[:, 0] * s + uv[:, 1] * c])
        return xy / self._scale + self.origin


@dataclass(frozen=True)
class Layout:
    """Buildings placed in a community, in the order they were placed.

    ``corners`` are the footprint rectangles in the local plane, (n, 4) as
    (u0, v0, u1, v1); ``blocks`` the used blocks' rectangles; ``block`` each building's
    block; ``road`` the index of the street south of the building's block row.
    """

    frame: LocalFrame
    kind: NDArray[np.int64]  # index into KIND_NAMES
    corners: NDArray[np.float64]
    block: NDArray[np.int64]
    blocks: NDArray[np.float64]  # (m, 4) u0, v0, u1, v1
    block_row: NDArray[np.int64]  # grid row of each block (for road names)
    street_width: float
    dropped: int  # buildings that found no lot

    @property
    def centres(self) -> NDArray[np.float64]:
        """Footprint centres in the plane, (n, 2)."""
        return np.column_stack(
            [
                (self.corners[:, 0] + self.corners[:, 2]) / 2,
                (self.corners[:, 1] + self.corners[:, 3]) / 2,
            ]
        )

    def footprints(self) -> NDArray[np.object_]:
        """Footprints as WGS 84 shapely MultiPolygons."""
        u0, v0, u1, v1 = self.corners.T
        ring = np.stack(
            [
                np.column_stack([u0, v0]),
                np.column_stack([u1, v0]),
                np.column_stack([u1, v1]),
                np.column_stack([u0, v1]),
                np.column_stack([u0, v0]),
            ],
            axis=1,
        )
        lonlat = self.frame.to_lonlat(ring.reshape(-1, 2)).reshape(-1, 5, 2)
        return shapely.multipolygons(shapely.polygons(lonlat)[:, None])

    def centroids_lonlat(self) -> NDArray[np.float64]:
        """Footprint centres in WGS 84, (n, 2)."""
        return self.frame.to_lonlat(self.centres)


def place_buildings(
    polygon: Polygon | MultiPolygon,
    counts: dict[str, int],
    rng: np.random.Generator,
    *,
    centre: tuple[float, float] | None = None,
    first_kind: str | None = None,
) -> Layout:
    """Lay out ``counts`` buildings of each kind inside the community ``polygon``.

    Parameters
    ----------
    polygon : shapely Polygon or MultiPolygon
        The community (社区) in WGS 84.
    counts : dict of str to int
        Buildings wanted per kind (keys of :data:`democity.profiles.BUILDING_KINDS`).
    rng : numpy.random.Generator
        The community's generator.
    centre : (lon, lat), optional
        Where the fill starts (default: a point on the polygon's surface).
    first_kind : str, optional
        A kind that takes the blocks nearest ``centre`` before all others (a planted
        hotspot's urban village or market).
    """
    origin = shapely.centroid(polygon).coords[0]
    frame = LocalFrame((origin[0], origin[1]), math.radians(rng.uniform(-35, 35)))
    plane = shapely.transform(polygon, frame.to_plane)
    inner = plane.buffer(-_BOUNDARY_MARGIN_M)
    if inner.is_empty:
        inner = plane
    shapely.prepare(inner)
    anchor = centre if centre is not None else shapely.point_on_surface(polygon).coords[0]
    start = frame.to_plane(np.array([anchor]))[0]
    size, street = rng.uniform(130, 200), rng.uniform(14, 26)
    blocks, rows = _blocks(plane, size, street, start, rng)
    order = [first_kind] if first_kind else []
    order += [k for k in _FILL_ORDER if k not in order]
    placed: list[NDArray[np.float64]] = []
    kinds: list[NDArray[np.int64]] = []
    owners: list[NDArray[np.int64]] = []
    cursor = _Cursor(blocks)
    dropped = 0
    for name in order:
        need = int(counts.get(name, 0))
        while need > 0 and not cursor.exhausted:
            lots = cursor.take_row(BUILDING_KINDS[name].cell)
            if lots is None:
                continue
            boxes = _footprints(lots, BUILDING_KINDS[name], rng)
            inside = shapely.contains(inner, shapely.box(*boxes.T))
            boxes = boxes[inside][:need]
            placed.append(boxes)
            kinds.append(np.full(len(boxes), KIND_NAMES.index(name), dtype=np.int64))
            owners.append(np.full(len(boxes), cursor.block, dtype=np.int64))
            need -= len(boxes)
        dropped += need
    corners = np.concatenate(placed) if placed else np.zeros((0, 4))
    block = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    used, block = np.unique(block, return_inverse=True)
    return Layout(
        frame=frame,
        kind=np.concatenate(kinds) if kinds else np.zeros(0, dtype=np.int64),
        corners=corners,
        block=block.reshape(-1).astype(np.int64),
        blocks=blocks[used] if len(used) else np.zeros((0, 4)),
        block_row=rows[used] if len(used) else np.zeros(0, dtype=np.int64),
        street_width=street,
        dropped=dropped,
    )


def _blocks(
    plane: shapely.Geometry, size: float, street: float, start: NDArray, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Blocks touching the community, nearest to ``start`` first (with noise)."""
    pitch = size + street
    minx, miny, maxx, maxy = plane.bounds
    phase = rng.uniform(0, pitch, 2)
    i = np.arange(
        math.floor((minx - phase[0]) / pitch) - 1, math.ceil((maxx - phase[0]) / pitch) + 1
    )
    j = np.arange(
        math.floor((miny - phase[1]) / pitch) - 1, math.ceil((maxy - phase[1]) / pitch) + 1
    )
    ii, jj = (a.reshape(-1) for a in np.meshgrid(i, j))
    u0, v0 = phase[0] + ii * pitch, phase[1] + jj * pitch
    rects = np.column_stack([u0, v0, u0 + size, v0 + size])
    touching = shapely.intersects(plane, shapely.box(*rects.T))
    rects, jj = rects[touching], jj[touching]
    centres = (rects[:, :2] + rects[:, 2:]) / 2
    distance = np.hypot(*(centres - start).T) + rng.normal(0, 0.8 * pitch, len(rects))
    order = np.argsort(distance, kind="stable")
    return rects[order], jj[order].astype(np.int64)


class _Cursor:
    """Hands out rows of lots, block after block (shelf packing)."""

    def __init__(self, blocks: NDArray[np.float64]) -> None:
        self._blocks = blocks
        self.block = 0
        self._v = blocks[0, 1] if len(blocks) else 0.0

    @property
    def exhausted(self) -> bool:
        return self.block >= len(self._blocks)

    def take_row(self, cell: tuple[float, float]) -> NDArray[np.float64] | None:
        """Lots (u0, v0, u1, v1) of the next row of ``cell``-sized lots, or None if none fit."""
        u0, _, u1, v1 = self._blocks[self.block]
        width, height = cell
        if self._v + height > v1:
            self.block += 1
            if not self.exhausted:
                self._v = self._blocks[self.block, 1]
            return None
        count = int((u1 - u0) // width)
        if count == 0:
            self.block += 1
            return None
        left = u0 + ((u1 - u0) - count * width) / 2
        starts = left + width * np.arange(count)
        row = np.column_stack(
            [starts, np.full(count, self._v), starts + width, np.full(count, self._v + height)]
        )
        self._v += height
        return row


def _footprints(
    lots: NDArray[np.float64], kind: BuildingKind, rng: np.random.Generator
) -> NDArray[np.float64]:
    """A rectangle in each lot, a little smaller than the kind's nominal size."""
    w, h = kind.footprint
    cw, ch = kind.cell
    n = len(lots)
    width = np.minimum(w * rng.uniform(0.85, 1.05, n), cw - 1.0)
    height = np.minimum(h * rng.uniform(0.85, 1.05, n), ch - 1.0)
    # off-centre by up to a third of the slack: no two gaps alike, no exact lattice
    cu = (lots[:, 0] + lots[:, 2]) / 2 + (cw - width) / 3 * rng.uniform(-1, 1, n)
    cv = (lots[:, 1] + lots[:, 3]) / 2 + (ch - height) / 3 * rng.uniform(-1, 1, n)
    return np.column_stack([cu - width / 2, cv - height / 2, cu + width / 2, cv + height / 2])


def sidewalk_points(
    layout: Layout, polygon: Polygon | MultiPolygon, n: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """``n`` random points (lon, lat) on the pavements around the used blocks, inside ``polygon``.

    Pavements run a third of a street width outside each used block's edge, so the
    points sit along the streets (for components and street-order events).
    """
    if n == 0 or len(layout.blocks) == 0:
        return np.zeros((0, 2))
    offset = layout.street_width / 3
    grown = layout.blocks + np.array([-offset, -offset, offset, offset])
    perimeter = 2 * ((grown[:, 2] - grown[:, 0]) + (grown[:, 3] - grown[:, 1]))
    picks = rng.choice(len(grown), 2 * n, p=perimeter / perimeter.sum())
    u0, v0, u1, v1 = grown[picks].T
    w, h = u1 - u0, v1 - v0
    t = rng.random(2 * n) * 2 * (w + h)
    u = np.select([t < w, t < w + h, t < 2 * w + h], [u0 + t, u1, u1 - (t - w - h)], default=u0)
    v = np.select(
        [t < w, t < w + h, t < 2 * w + h], [v0, v0 + (t - w), v1], default=v1 - (t - 2 * w - h)
    )
    lonlat = layout.frame.to_lonlat(np.column_stack([u, v]))
    inside = shapely.contains_xy(polygon, lonlat[:, 0], lonlat[:, 1])
    return lonlat[inside][:n]
