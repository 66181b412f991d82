"""The city plan (规划): how many buildings of each kind every community gets at a scale.

Residents are shared out by the 2020 census per district, then among the district's
communities by character (城中村, estates, centre, industrial park...), size and a
log-normal factor. A community's buildings follow from its residents and the mix of
its character; the plan caps each community so that its residential rooms fit in 99
basic grids and its lots fit in its area, moving the excess to its neighbours in the
district. Counts at ``scale`` are rounded stochastically (seeded), so tiny scales still
spread buildings over the whole city.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from democity.buildings import expected_rooms
from democity.hotspots import PLANTED_HOTSPOTS
from democity.population import mean_household_size
from democity.profiles import BUILDING_KINDS, CHARACTERS, DISTRICT_PROFILES, KIND_NAMES
from grids.hierarchy import Area

__all__ = ["EVENTS_AT_FULL_SCALE", "CommunityPlan", "plan_city"]

#: Events over the whole period at scale 1.0 (SPEC target: about 3 million).
EVENTS_AT_FULL_SCALE = 3_000_000
_RESIDENT_WEIGHT = {
    "village": 1.25,
    "estate": 1.1,
    "centre": 0.75,
    "industrial": 0.9,
    "mixed": 1.0,
    "green": 0.35,
    "bonded": 0.0,
    "airport": 0.0,
    "cbd": 0.25,
}
_FIXED_BUILDINGS = {"bonded": 350, "airport": 120}  # communities without residents
_MAX_RESIDENTIAL_ROOMS = 36_000  # at 400 households per grid: 90 of the 99 grid codes
_MAX_LOT_SHARE = 0.45  # lots may cover at most this share of a community
_METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180.0


@dataclass(frozen=True)
class CommunityPlan:
    """What one community (社区) gets: its buildings per kind and its events."""

    ordinal: int  # position in code order: seeds, ID-number slots
    code: str
    name: str  # short name, e.g. 上沙社区
    street_name: str
    district_name: str
    character: str
    hosts_street_office: bool  # the street's first community houses 街道办事处
    buildings: dict[str, int]
    events: int
    residents_expected: float

    @property
    def total_buildings(self) -> int:
        return sum(self.buildings.values())


def _character(area: Area, rng: np.random.Generator) -> str:
    hotspot = next((h for h in PLANTED_HOTSPOTS if h.community_code == area.code), None)
    if hotspot is not None:
        return hotspot.character
    if "机场" in area.name:
        return "airport"
    if "保税" in area.name:
        return "bonded"
    if area.code.startswith("440305400"):  # 前海合作区
        return "cbd"
    odds = DISTRICT_PROFILES[area.code[:6]].characters
    names = list(odds)
    weights = np.array([odds[n] for n in names], dtype=np.float64)
    return names[rng.choice(len(names), p=weights / weights.sum())]


def _area_km2(geometry: shapely.Geometry) -> float:
    lat = shapely.centroid(geometry).y
    return shapely.area(geometry) * _METRES_PER_DEGREE**2 * math.cos(math.radians(lat)) / 1e6


def _mix(character: str) -> dict[str, float]:
    """The character's building kinds as shares summing to one."""
    weights = CHARACTERS[character]
    total = sum(weights.values())
    return {kind: weight / total for kind, weight in weights.items()}


def _per_building(character: str) -> tuple[float, float, float]:
    """Expected residents, residential rooms and lot area (m²) per building of a character."""
    residents = rooms = lots = 0.0
    for kind, share in _mix(character).items():
        residential, _ = expected_rooms(kind)
        size = mean_household_size(kind)[0] if residential else 0.0
        residents += share * residential * size
        rooms += share * residential
        w, h = BUILDING_KINDS[kind].cell
        lots += share * w * h
    return residents, rooms, lots


def plan_city(areas: list[Area], *, scale: float, seed: int) -> list[CommunityPlan]:
    """Plan every community of ``areas`` (the output of ``build_shenzhen``) at ``scale``."""
    if not 0 < scale <= 1.5:
        raise ValueError(f"scale must be in (0, 1.5], got {scale}")
    rng = np.random.default_rng([seed, 0xC17])
    names = {a.code: a.short_name for a in areas}
    communities = [a for a in areas if a.level == "community"]
    characters = [_character(a, rng) for a in communities]
    km2 = np.array([_area_km2(a.geometry) for a in communities])
    weight = np.array([_RESIDENT_WEIGHT[c] for c in characters]) * km2**0.3
    weight *= rng.lognormal(0, 0.35, len(communities))
    per = np.array([_per_building(c) for c in characters])  # residents, rooms, lot m²
    buildings_cap = np.minimum(
        np.divide(
            _MAX_RESIDENTIAL_ROOMS, per[:, 1], out=np.full(len(per), np.inf), where=per[:, 1] > 0
        ),
        _MAX_LOT_SHARE * km2 * 1e6 / per[:, 2],
    )
    cap_residents = buildings_cap * per[:, 0]
    district = np.array([a.code[:6] for a in communities])
    residents = np.zeros(len(communities))
    for code, profile in DISTRICT_PROFILES.items():
        at = np.flatnonzero(district == code)
        residents[at] = _fill(profile.residents, weight[at], cap_residents[at])
    buildings = np.where(per[:, 0] > 0, residents / np.maximum(per[:, 0], 1e-9), 0.0)
    for index, character in enumerate(characters):
        buildings[index] += _FIXED_BUILDINGS.get(character, 0)
    people_share = residents / residents.sum()
    building_share = buildings / buildings.sum()
    events = EVENTS_AT_FULL_SCALE * (0.65 * people_share + 0.35 * building_share)
    plans = []
    for index, area in enumerate(communities):
        mix = _mix(characters[index])
        expected = np.array([buildings[index] * mix.get(k, 0.0) * scale for k in KIND_NAMES])
        counts = np.floor(expected + rng.random(len(expected))).astype(int)
        plans.append(
            CommunityPlan(
                ordinal=index,
                code=area.code,
                name=area.short_name,
                street_name=names[area.code[:9]],
                district_name=names[area.code[:6]],
                character=characters[index],
                hosts_street_office=index == 0 or communities[index - 1].code[:9] != area.code[:9],
                buildings={k: int(c) for k, c in zip(KIND_NAMES, counts, strict=True) if c},
                events=int(np.floor(events[index] * scale + rng.random())),
                residents_expected=float(residents[index] * scale),
            )
        )
    return plans


def _fill(total: float, weight: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Share ``total`` in proportion to ``weight`` without exceeding ``cap`` (water-filling)."""
    share = np.zeros(len(weight))
    free = weight > 0
    remaining = total
    for _ in range(50):
        if remaining <= 1e-6 or not free.any():
            break
        proposal = remaining * weight * free / (weight * free).sum()
        room = cap - share
        take = np.minimum(proposal, room)
        share += take
        remaining -= take.sum()
        free &= take < room - 1e-9
    return share
