"""Buildings (楼栋) and rooms (房屋) of one community: floors, units, codes, names, addresses.

Building codes are issued per basic grid: grid code + a 5-digit sequence numbered
north→south in 60 m rows and west→east within a row. Room codes add the 6-digit room
segment of :func:`grids.codes.room_segment` (unit 1 digit, floor 3 digits with
basements 901.., door 2 digits), made for many rooms by :func:`grids.codes.make_room_codes`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from api.buildings.models import ROOM_USES
from democity.columns import VarBytes, digits
from democity.profiles import BUILDING_KINDS, KIND_NAMES

__all__ = [
    "BuildingSpecs",
    "Rooms",
    "building_sequence",
    "draw_specs",
    "expand_rooms",
    "expected_rooms",
]

_METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180.0
_ROW_M = 60.0
_COMMERCIAL = ROOM_USES.index("commercial")
_STORAGE = ROOM_USES.index("storage")
_RESIDENTIAL = ROOM_USES.index("residential")


@dataclass(frozen=True)
class BuildingSpecs:
    """Per-building numbers drawn for a list of building kinds."""

    kind: NDArray[np.int64]
    floors: NDArray[np.int64]
    floors_below: NDArray[np.int64]
    units: NDArray[np.int64]  # 0 = no units (单元)
    doors: NDArray[np.int64]  # rooms per floor and unit
    year: NDArray[np.int64]
    ground_shops: NDArray[np.bool_]

    def take(self, index: NDArray[np.int64]) -> BuildingSpecs:
        """The specs of buildings ``index``, in that order."""
        return BuildingSpecs(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


def draw_specs(kind: NDArray[np.int64], rng: np.random.Generator) -> BuildingSpecs:
    """Draw floors, basements, units, doors, year and 底商 for buildings of ``kind``."""
    n = len(kind)
    out = {
        name: np.zeros(n, dtype=np.int64)
        for name in ("floors", "floors_below", "units", "doors", "year")
    }
    shops = np.zeros(n, dtype=bool)
    for index, name in enumerate(KIND_NAMES):
        at = np.flatnonzero(kind == index)
        if len(at) == 0:
            continue
        spec = BUILDING_KINDS[name]
        k = len(at)
        low, mode, high = spec.floors
        out["floors"][at] = np.rint(rng.triangular(low - 0.49, mode, high + 0.49, k))
        out["floors_below"][at] = rng.integers(spec.basements[0], spec.basements[1] + 1, k)
        out["units"][at] = rng.integers(spec.units[0], spec.units[1] + 1, k)
        out["doors"][at] = rng.integers(spec.doors[0], spec.doors[1] + 1, k)
        y0, y1, y2 = spec.years
        out["year"][at] = np.rint(rng.triangular(y0, y1, y2, k))
        shops[at] = rng.random(k) < spec.ground_shops
    out["floors"] = np.maximum(out["floors"], 1)
    return BuildingSpecs(kind=kind, ground_shops=shops, **out)


@dataclass(frozen=True)
class Rooms:
    """Rooms of a community's buildings (``building`` indexes the building arrays)."""

    building: NDArray[np.int64]
    unit: NDArray[np.int64]
    floor: NDArray[np.int64]
    door: NDArray[np.int64]
    use: NDArray[np.int64]  # index into ROOM_USES
    area_cents: NDArray[np.int64]  # area in 1/100 m²
    rental: NDArray[np.bool_]

    def renumber(self, rank: NDArray[np.int64]) -> Rooms:
        """The rooms after building ``b`` became building ``rank[b]``, sorted by building."""
        order = np.argsort(rank[self.building], kind="stable")
        moved = {f.name: getattr(self, f.name)[order] for f in fields(self)}
        moved["building"] = rank[self.building][order]
        return Rooms(**moved)


def expand_rooms(specs: BuildingSpecs, rng: np.random.Generator) -> Rooms:
    """All rooms of the buildings: units × floors × doors above ground, store rooms below."""
    units = np.maximum(specs.units, 1)
    per_floor = units * specs.doors
    above = per_floor * specs.floors
    below = specs.floors_below * 2  # two store rooms (or parking offices) per basement level
    n_rooms = above + below
    building = np.repeat(np.arange(len(n_rooms)), n_rooms)
    local = np.arange(len(building)) - np.repeat(np.cumsum(n_rooms) - n_rooms, n_rooms)
    is_below = local >= above[building]
    k = np.where(is_below, local - above[building], local)
    doors = specs.doors[building]
    floors = specs.floors[building]
    unit = np.where(is_below | (specs.units[building] == 0), 0, k // (floors * doors) + 1)
    floor = np.where(is_below, -(k // 2) - 1, (k // doors) % floors + 1)
    door = np.where(is_below, k % 2 + 1, k % doors + 1)
    kinds = specs.kind[building]
    spec_use = np.array([ROOM_USES.index(BUILDING_KINDS[name].room_use) for name in KIND_NAMES])
    use = spec_use[kinds]
    podium = np.array([BUILDING_KINDS[name].podium for name in KIND_NAMES])[kinds]
    use = np.where((floor >= 1) & (floor <= podium), _COMMERCIAL, use)
    use = np.where((floor == 1) & specs.ground_shops[building], _COMMERCIAL, use)
    use = np.where(is_below, _STORAGE, use)
    low = np.array([BUILDING_KINDS[name].room_area[0] for name in KIND_NAMES])[kinds]
    high = np.array([BUILDING_KINDS[name].room_area[1] for name in KIND_NAMES])[kinds]
    shop = (use == _COMMERCIAL) & (spec_use[kinds] != _COMMERCIAL)
    low, high = np.where(shop, 18.0, low), np.where(shop, 80.0, high)
    area = np.rint(rng.uniform(low, high) * 100).astype(np.int64)
    rent_p = np.array([BUILDING_KINDS[name].rental for name in KIND_NAMES])[kinds]
    rental = rng.random(len(building)) < np.where(use == _COMMERCIAL, 0.85, rent_p)
    rental &= use != _STORAGE
    return Rooms(building, unit, floor, door, use, area, rental)


@functools.cache
def expected_rooms(kind: str) -> tuple[float, float]:
    """Mean (residential, other) rooms per building of ``kind`` (by simulation, fixed seed)."""
    rng = np.random.default_rng(20111)
    specs = draw_specs(np.full(2000, KIND_NAMES.index(kind), dtype=np.int64), rng)
    rooms = expand_rooms(specs, rng)
    residential = float((rooms.use == _RESIDENTIAL).sum()) / 2000
    return residential, len(rooms.building) / 2000 - residential


def building_sequence(grid: NDArray[np.int64], lonlat: NDArray[np.float64]) -> NDArray[np.int64]:
    """Sequence number (1..) of each building inside its grid: 60 m rows north→south, W→E."""
    if len(grid) == 0:
        return np.zeros(0, dtype=np.int64)
    lat0 = float(lonlat[:, 1].mean())
    x = lonlat[:, 0] * _METRES_PER_DEGREE * math.cos(math.radians(lat0))
    y = lonlat[:, 1] * _METRES_PER_DEGREE
    row = np.floor((y.max() - y) / _ROW_M).astype(np.int64)
    order = np.lexsort((x, row, grid))
    sequence = np.empty(len(grid), dtype=np.int64)
    sorted_grid = grid[order]
    first = np.searchsorted(sorted_grid, sorted_grid, side="left")
    sequence[order] = np.arange(len(grid)) - first + 1
    return sequence


def door_labels(rooms: Rooms) -> tuple[VarBytes, VarBytes]:
    """The ``unit`` and ``door`` text columns: ``'1'`` and ``'03'`` (unit ``'0'`` = none)."""
    return (VarBytes.from_fixed(digits(rooms.unit, 1)), VarBytes.from_fixed(digits(rooms.door, 2)))
