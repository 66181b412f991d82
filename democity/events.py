"""Events (事件) of one community: what, where and when — before their workflow history.

Categories follow land use: hawkers, rubbish, illegal structures and overcrowded
rentals (群租) in the urban villages; parking and neighbour disputes in the estates;
trading outside shops and restaurant fumes on commercial streets; dust and spilling
muck trucks around factories. About a fifth of the events are facility faults at a
component (a dark street lamp, a broken manhole cover), damaged components six times
as likely. Planted hotspots (:mod:`democity.hotspots`) add their cluster on top.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from democity.components import COMPONENT_MIX
from democity.hotspots import PlantedHotspot, planted_event_count
from democity.profiles import KIND_NAMES
from democity.rhythms import PROFILE_OF_CATEGORY, draw_sources, draw_times

__all__ = ["CategoryTable", "EventDraft", "draw_events"]

_METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180.0
_UV = {
    "09-001": 6,
    "09-006": 5,
    "06-001": 8,
    "06-004": 3,
    "06-002": 5,
    "10-003": 3,
    "10-007": 4,
    "10-006": 3,
    "10-002": 3,
    "06-005": 2,
    "07-001": 6,
    "10-001": 4,
    "10-005": 3,
    "09-005": 4,
    "09-003": 3,
    "10-008": 2,
    "06-003": 3,
    "10-004": 1,
    "09-002": 2,
    "02-005": 1,
}
_ESTATE = {
    "09-002": 6,
    "10-001": 5,
    "10-005": 4,
    "09-003": 3,
    "10-004": 4,
    "06-001": 3,
    "07-001": 3,
    "10-007": 3,
    "06-002": 2,
    "09-005": 3,
    "08-001": 2,
    "10-002": 1,
    "02-005": 1,
}
_COMMERCIAL = {
    "09-004": 7,
    "09-001": 4,
    "06-006": 4,
    "07-002": 3,
    "07-003": 2,
    "06-003": 4,
    "06-001": 4,
    "09-002": 3,
    "09-005": 3,
    "10-006": 3,
    "07-001": 2,
}
_OFFICE = {
    "09-002": 6,
    "09-005": 5,
    "06-003": 3,
    "07-002": 2,
    "07-003": 1,
    "08-003": 2,
    "10-002": 1,
    "02-005": 1,
}
_INDUSTRIAL = {
    "08-004": 4,
    "08-005": 3,
    "10-002": 5,
    "06-004": 4,
    "08-002": 2,
    "08-003": 2,
    "06-002": 3,
    "09-002": 3,
    "10-001": 3,
    "10-003": 1,
    "06-001": 2,
}
_PUBLIC = {"09-002": 4, "06-003": 3, "06-001": 3, "09-001": 2, "08-001": 1, "10-002": 1}
#: category weights by building kind (land use)
CATEGORIES_BY_KIND = {
    "uv": _UV,
    "tower": _ESTATE,
    "walkup": _ESTATE,
    "mixed": _ESTATE | {"09-004": 3},
    "dorm": _INDUSTRIAL | {"10-003": 4, "10-007": 4},
    "shop": _COMMERCIAL,
    "mall": _COMMERCIAL,
    "office": _OFFICE,
    "factory": _INDUSTRIAL,
    "school": _PUBLIC,
    "clinic": _PUBLIC,
    "civic": _PUBLIC,
    "other": _PUBLIC | {"06-002": 2},
}
#: facility category of each component class (None: faults not reported as events)
CATEGORY_OF_COMPONENT = {
    "01-001": "01-001",
    "01-002": "01-001",
    "01-003": "01-001",
    "01-004": "01-001",
    "01-005": "01-001",
    "01-006": "01-001",
    "01-007": "01-002",
    "01-008": "01-003",
    "01-010": "01-005",
    "02-002": "02-001",
    "02-005": "02-002",
    "02-006": "02-003",
    "02-007": "02-004",
    "02-008": "02-004",
    "03-001": "03-001",
    "03-002": "03-002",
    "03-003": "03-003",
    "03-004": "03-002",
    "04-001": "04-001",
    "04-002": "04-003",
    "04-003": "04-002",
    "04-004": "04-002",
    "05-001": "05-001",
    "05-002": "05-002",
    "05-003": "05-002",
}
_FACILITY_SHARE = 0.2
_STREET_GROUPS = ("street_order", "environment", "advertising", "construction", "facility")


@dataclass(frozen=True)
class CategoryTable:
    """The event categories as loaded from the database (one entry per category)."""

    ids: NDArray[np.int64]
    keys: tuple[str, ...]  # "09-001"
    names: tuple[str, ...]
    groups: tuple[str, ...]
    priority: NDArray[np.int64]
    accept_minutes: NDArray[np.int64]
    dispatch_minutes: NDArray[np.int64]
    handle_minutes: NDArray[np.int64]
    verify_minutes: NDArray[np.int64]
    working_hours: NDArray[np.bool_]
    departments: tuple[str, ...]  # department codes

    def index(self, key: str) -> int:
        return self.keys.index(key)


@dataclass(frozen=True)
class EventDraft:
    """Events before their history: category, place, time, source; ``planted`` marks hotspots."""

    category: NDArray[np.int64]  # index into the CategoryTable
    lonlat: NDArray[np.float64]
    building: NDArray[np.int64]  # local building or -1
    component: NDArray[np.int64]  # local component or -1
    reported: NDArray[np.int64]  # µs since 1970 UTC
    source: NDArray[np.int64]  # index into EVENT_SOURCES
    planted: NDArray[np.bool_]


def draw_events(
    rng: np.random.Generator,
    categories: CategoryTable,
    *,
    count: int,
    building_kind: NDArray[np.int64],
    building_weight: NDArray[np.float64],
    building_lonlat: NDArray[np.float64],
    component_class: NDArray[np.int64],
    component_damaged: NDArray[np.bool_],
    component_lonlat: NDArray[np.float64],
    start_us: int,
    end_us: int,
    hotspot: PlantedHotspot | None,
    scale: float,
) -> EventDraft:
    """Draw ``count`` ordinary events (and a planted cluster) for one community."""
    component_category = np.array(
        [
            categories.index(CATEGORY_OF_COMPONENT[f"{m}-{n}"])
            if f"{m}-{n}" in CATEGORY_OF_COMPONENT
            else -1
            for m, n, _, _ in COMPONENT_MIX
        ]
    )
    eligible = (
        component_category[component_class] >= 0
        if len(component_class)
        else np.zeros(0, dtype=bool)
    )
    facility = int(rng.binomial(count, _FACILITY_SHARE)) if eligible.any() else 0
    if len(building_kind) == 0:
        count = facility
    parts = [
        _building_events(
            rng, categories, count - facility, building_kind, building_weight, building_lonlat
        ),
        _component_events(
            rng,
            facility,
            component_category[component_class],
            eligible & True,
            component_damaged,
            component_lonlat,
        ),
    ]
    if hotspot is not None and len(building_kind):
        parts.append(_planted(rng, categories, hotspot, scale, building_lonlat))
    category = np.concatenate([p[0] for p in parts]).astype(np.int64)
    lonlat = np.concatenate([p[1] for p in parts]).reshape(-1, 2)
    building = np.concatenate([p[2] for p in parts]).astype(np.int64)
    component = np.concatenate([p[3] for p in parts]).astype(np.int64)
    planted = np.concatenate(
        [
            np.zeros(len(p[0]), dtype=bool) if i < 2 else np.ones(len(p[0]), dtype=bool)
            for i, p in enumerate(parts)
        ]
    )
    keys = np.array(categories.keys)[category]
    profile = np.array([PROFILE_OF_CATEGORY.get(k, "patrol") for k in keys.tolist()])
    source = draw_sources(rng, np.array(categories.groups)[category])
    profile = np.where(source == 2, "hotline", np.where(source == 4, "flat", profile))
    reported = draw_times(rng, profile, start_us=start_us, end_us=end_us)
    if hotspot is not None and planted.any():
        at = np.flatnonzero(planted)
        recent = rng.random(len(at)) < 0.7
        window = max(start_us, end_us - hotspot.recent_days * 86_400 * 1_000_000)
        reported[at[recent]] = draw_times(
            rng,
            np.full(recent.sum(), "patrol"),
            start_us=window,
            end_us=end_us,
            hours=hotspot.hours,
        )
        reported[at[~recent]] = draw_times(
            rng,
            np.full((~recent).sum(), "patrol"),
            start_us=start_us,
            end_us=end_us,
            hours=hotspot.hours,
        )
        source[at] = np.where(rng.random(len(at)) < 0.75, 0, 2)  # patrol or 12345
    order = np.argsort(reported, kind="stable")
    return EventDraft(
        category[order],
        lonlat[order],
        building[order],
        component[order],
        reported[order],
        source[order],
        planted[order],
    )


def _offset(
    rng: np.random.Generator, lonlat: NDArray[np.float64], low: float, high: float
) -> NDArray[np.float64]:
    """Move points by ``low``–``high`` metres in random directions."""
    n = len(lonlat)
    distance = rng.uniform(low, high, n)
    angle = rng.uniform(0, 2 * math.pi, n)
    scale = np.column_stack(
        [_METRES_PER_DEGREE * np.cos(np.radians(lonlat[:, 1])), np.full(n, _METRES_PER_DEGREE)]
    )
    return lonlat + np.column_stack([distance * np.cos(angle), distance * np.sin(angle)]) / scale


def _building_events(
    rng: np.random.Generator,
    categories: CategoryTable,
    n: int,
    kind: NDArray[np.int64],
    weight: NDArray[np.float64],
    lonlat: NDArray[np.float64],
) -> tuple[NDArray, ...]:
    if n <= 0 or len(kind) == 0:
        return (np.zeros(0, int), np.zeros((0, 2)), np.zeros(0, int), np.zeros(0, int))
    building = rng.choice(len(kind), n, p=weight / weight.sum())
    category = np.zeros(n, dtype=np.int64)
    for index, name in enumerate(KIND_NAMES):
        at = np.flatnonzero(kind[building] == index)
        if len(at) == 0:
            continue
        table = CATEGORIES_BY_KIND[name]
        keys = [categories.index(k) for k in table]
        p = np.array(list(table.values()), dtype=np.float64)
        category[at] = np.array(keys)[rng.choice(len(keys), len(at), p=p / p.sum())]
    on_street = np.isin(np.array(categories.groups)[category], _STREET_GROUPS)
    points = np.where(
        on_street[:, None],
        _offset(rng, lonlat[building], 8, 25),
        _offset(rng, lonlat[building], 0, 2),
    )
    return category, points, building, np.full(n, -1)


def _component_events(
    rng: np.random.Generator,
    n: int,
    category_of: NDArray[np.int64],
    eligible: NDArray[np.bool_],
    damaged: NDArray[np.bool_],
    lonlat: NDArray[np.float64],
) -> tuple[NDArray, ...]:
    if n <= 0:
        return (np.zeros(0, int), np.zeros((0, 2)), np.zeros(0, int), np.zeros(0, int))
    weight = eligible * np.where(damaged, 6.0, 1.0)
    component = rng.choice(len(weight), n, p=weight / weight.sum())
    return (
        category_of[component],
        _offset(rng, lonlat[component], 0, 1.5),
        np.full(n, -1),
        component,
    )


def _planted(
    rng: np.random.Generator,
    categories: CategoryTable,
    hotspot: PlantedHotspot,
    scale: float,
    building_lonlat: NDArray[np.float64],
) -> tuple[NDArray, ...]:
    """The hotspot's events: uniform in its disc, each tied to the nearest building."""
    n = planted_event_count(hotspot, scale)
    centre = np.array(hotspot.centre)
    # a little inside the disc, so that distances on the spheroid agree
    radius = 0.95 * hotspot.radius_m * np.sqrt(rng.random(n))
    angle = rng.uniform(0, 2 * math.pi, n)
    scale_xy = np.array(
        [_METRES_PER_DEGREE * math.cos(math.radians(centre[1])), _METRES_PER_DEGREE]
    )
    points = centre + np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]) / scale_xy
    tree = shapely.STRtree(shapely.points(building_lonlat))
    building = tree.nearest(shapely.points(points)).astype(np.int64)
    keys = [categories.index(f"{m}-{n_}") for m, n_ in hotspot.categories]
    category = np.array(keys)[rng.integers(0, len(keys), n)]
    return category, points, building, np.full(n, -1)
