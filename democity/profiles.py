"""The numbers behind the demo city: district sizes, building kinds and community characters.

Targets at ``scale=1.0`` (SPEC §2.5): about 600,000 buildings, 11 million rooms,
17.6 million residents, 2 million business entities plus 13,000 social organisations,
3 million events and 15,000–20,000 basic grids. District populations follow the 2020
census (大鹏新区 counted in 龙岗, where its streets are coded).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BUILDING_KINDS",
    "CHARACTERS",
    "DISTRICT_PROFILES",
    "KIND_NAMES",
    "TOTAL_BUILDINGS",
    "BuildingKind",
    "DistrictProfile",
]


@dataclass(frozen=True)
class DistrictProfile:
    """A district (区): 2020 census residents and the odds of each community character."""

    name: str
    residents: int
    #: character → relative odds for its communities (see :data:`CHARACTERS`)
    characters: dict[str, float]
    #: multiplier on building density (towers in the core, villages outside)
    density: float


_CORE = {"village": 3, "estate": 4, "centre": 3, "industrial": 0.3, "mixed": 2, "green": 0.3}
_INNER = {"village": 4, "estate": 3, "centre": 1.5, "industrial": 1.5, "mixed": 2, "green": 0.5}
_OUTER = {"village": 5, "estate": 2, "centre": 0.6, "industrial": 3, "mixed": 1.5, "green": 1}

DISTRICT_PROFILES: dict[str, DistrictProfile] = {
    "440303": DistrictProfile("罗湖区", 1_143_801, _CORE, 1.3),
    "440304": DistrictProfile("福田区", 1_553_225, _CORE, 1.4),
    "440305": DistrictProfile("南山区", 1_795_826, _CORE | {"industrial": 1.0}, 1.2),
    "440306": DistrictProfile("宝安区", 4_476_554, _INNER, 1.0),
    "440307": DistrictProfile("龙岗区", 4_135_335, _OUTER, 0.9),
    "440308": DistrictProfile("盐田区", 214_225, _OUTER | {"green": 3, "industrial": 1}, 0.7),
    "440309": DistrictProfile("龙华区", 2_528_872, _INNER, 1.0),
    "440310": DistrictProfile("坪山区", 551_333, _OUTER, 0.8),
    "440311": DistrictProfile("光明区", 1_095_289, _OUTER, 0.8),
}

#: What a community mostly is; value = relative share of its buildings by kind.
CHARACTERS: dict[str, dict[str, float]] = {
    # 城中村: dense 握手楼 with shops on the lanes
    "village": {
        "uv": 0.72,
        "shop": 0.10,
        "walkup": 0.02,
        "factory": 0.05,
        "civic": 0.03,
        "school": 0.008,
        "clinic": 0.002,
        "other": 0.123,
    },
    # 住宅小区: gated estates of towers and older walk-ups, with villages in between
    "estate": {
        "tower": 0.05,
        "walkup": 0.12,
        "uv": 0.45,
        "mixed": 0.03,
        "shop": 0.11,
        "factory": 0.04,
        "civic": 0.04,
        "school": 0.012,
        "clinic": 0.004,
        "other": 0.208,
    },
    # 商务中心: offices, malls, 商住楼 — and the villages next to them (岗厦, 上沙...)
    "centre": {
        "office": 0.10,
        "mall": 0.008,
        "shop": 0.16,
        "mixed": 0.04,
        "tower": 0.04,
        "uv": 0.42,
        "civic": 0.04,
        "school": 0.008,
        "clinic": 0.004,
        "other": 0.189,
    },
    # 工业园区: factories with dormitories, and the villages around them
    "industrial": {
        "factory": 0.46,
        "dorm": 0.025,
        "uv": 0.38,
        "shop": 0.04,
        "office": 0.005,
        "civic": 0.02,
        "school": 0.006,
        "clinic": 0.002,
        "other": 0.115,
    },
    "mixed": {
        "uv": 0.55,
        "tower": 0.02,
        "walkup": 0.04,
        "shop": 0.08,
        "mixed": 0.015,
        "factory": 0.20,
        "dorm": 0.008,
        "office": 0.008,
        "civic": 0.03,
        "school": 0.008,
        "clinic": 0.002,
        "other": 0.104,
    },
    # 生态区: mountains and coast with a few villages
    "green": {
        "uv": 0.55,
        "walkup": 0.02,
        "shop": 0.06,
        "factory": 0.10,
        "civic": 0.06,
        "school": 0.01,
        "clinic": 0.005,
        "other": 0.184,
    },
    # 保税区 / 机场 / 前海: the special "virtual communities" (虚拟社区)
    "bonded": {"factory": 0.55, "office": 0.20, "other": 0.189, "civic": 0.05},
    "airport": {"other": 0.52, "office": 0.20, "civic": 0.20, "shop": 0.05},
    "cbd": {
        "office": 0.45,
        "mall": 0.08,
        "mixed": 0.15,
        "tower": 0.10,
        "shop": 0.12,
        "civic": 0.05,
        "other": 0.048,
    },
}


@dataclass(frozen=True)
class BuildingKind:
    """A kind of building: its footprint on the ground and how it is divided into rooms.

    Sizes are metres; ``cell`` is the lot (footprint plus the gap to the neighbours);
    ``floors`` a (min, mode, max) triangle; ``doors`` rooms per floor (and unit).
    """

    use_type: str  # buildings.use_type
    room_use: str  # rooms.use_type above ground
    cell: tuple[float, float]
    footprint: tuple[float, float]
    floors: tuple[int, int, int]
    units: tuple[int, int]  # 0 = no units (单元)
    doors: tuple[int, int]
    basements: tuple[int, int]
    years: tuple[int, int, int]
    rental: float  # share of rooms let (出租)
    room_area: tuple[float, float]  # m², uniform
    ground_shops: float = 0.0  # chance that the ground floor is shops (底商)
    podium: int = 0  # floors of shops under the flats (商住楼)
    collective: bool = False  # rooms hold collective households (集体户, dormitories)


BUILDING_KINDS: dict[str, BuildingKind] = {
    "uv": BuildingKind(
        "urban_village",
        "residential",
        (14.5, 15.5),
        (12.0, 13.0),
        (3, 6, 9),
        (0, 0),
        (1, 3),
        (0, 0),
        (1988, 2002, 2014),
        0.93,
        (16, 42),
        0.35,
    ),
    "tower": BuildingKind(
        "residential",
        "residential",
        (48, 44),
        (26, 20),
        (16, 30, 48),
        (1, 3),
        (3, 5),
        (1, 2),
        (1998, 2012, 2024),
        0.35,
        (55, 140),
    ),
    "walkup": BuildingKind(
        "residential",
        "residential",
        (62, 26),
        (52, 13),
        (6, 7, 9),
        (2, 4),
        (2, 2),
        (0, 0),
        (1984, 1995, 2004),
        0.45,
        (45, 95),
    ),
    "dorm": BuildingKind(
        "residential",
        "residential",
        (52, 26),
        (42, 13),
        (5, 6, 8),
        (0, 0),
        (8, 12),
        (0, 0),
        (1990, 2003, 2016),
        0.0,
        (20, 30),
        collective=True,
    ),
    "shop": BuildingKind(
        "commercial",
        "commercial",
        (36, 28),
        (30, 21),
        (2, 3, 6),
        (0, 0),
        (3, 10),
        (0, 1),
        (1990, 2005, 2022),
        0.85,
        (20, 160),
    ),
    "mall": BuildingKind(
        "commercial",
        "commercial",
        (110, 85),
        (90, 68),
        (4, 6, 9),
        (0, 0),
        (18, 36),
        (1, 3),
        (1998, 2012, 2024),
        0.9,
        (40, 400),
    ),
    "office": BuildingKind(
        "office",
        "office",
        (62, 56),
        (42, 36),
        (10, 24, 60),
        (0, 0),
        (6, 12),
        (2, 4),
        (1995, 2012, 2025),
        0.8,
        (80, 600),
        ground_shops=0.8,
    ),
    "mixed": BuildingKind(
        "mixed",
        "residential",
        (44, 38),
        (32, 26),
        (10, 18, 32),
        (1, 2),
        (4, 6),
        (1, 2),
        (1995, 2008, 2024),
        0.55,
        (40, 110),
        podium=2,
    ),
    "factory": BuildingKind(
        "industrial",
        "industrial",
        (78, 42),
        (62, 26),
        (2, 4, 7),
        (0, 0),
        (1, 2),
        (0, 0),
        (1986, 2000, 2018),
        0.85,
        (400, 2500),
    ),
    "school": BuildingKind(
        "school",
        "public",
        (84, 42),
        (62, 18),
        (3, 5, 6),
        (0, 0),
        (2, 4),
        (0, 0),
        (1985, 2005, 2024),
        0.0,
        (60, 90),
    ),
    "clinic": BuildingKind(
        "medical",
        "public",
        (48, 42),
        (32, 26),
        (3, 6, 14),
        (0, 0),
        (3, 6),
        (0, 1),
        (1990, 2008, 2024),
        0.0,
        (20, 120),
    ),
    "civic": BuildingKind(
        "public",
        "public",
        (38, 32),
        (26, 20),
        (2, 3, 6),
        (0, 0),
        (1, 3),
        (0, 0),
        (1990, 2010, 2024),
        0.0,
        (60, 300),
    ),
    "other": BuildingKind(
        "other",
        "storage",
        (30, 24),
        (18, 14),
        (1, 1, 3),
        (0, 0),
        (1, 1),
        (0, 0),
        (1985, 2005, 2023),
        0.3,
        (30, 400),
    ),
}
KIND_NAMES: tuple[str, ...] = tuple(BUILDING_KINDS)

#: Buildings at scale 1.0 (SPEC §2.5: "about 600,000").
TOTAL_BUILDINGS = 600_000
