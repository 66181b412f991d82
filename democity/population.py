"""Households (户) and residents (实有人口) of a young migrant city, one community at a time.

Every occupied residential room holds one household whose make-up depends on the
building: young singles, couples and families with small children in the urban
villages (城中村), families with grandparents (随迁老人) in the estates, collective
households in factory dormitories (集体户). About a third of the residents hold
Shenzhen hukou (户籍), mostly in the estates. Care tags (独居老人, 残疾人, 优抚对象, 低保,
留守儿童...) follow age, household and hukou.

ID numbers are valid GB 11643 numbers and unique across the whole city without any
shared state: the 3-digit sequence encodes the community (``2 * slot + male``, slot =
community ordinal mod 500) and the parity of the birth day number tells apart the two
communities that share a slot (ordinals o and o + 500); inside a community, clashes
move birth dates back by the fewest even numbers of days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from api.people.models import CARE_TAGS, RELATIONS
from democity.columns import VarBytes, ascii_rows, digits
from democity.names import (
    GIVEN_FEMALE,
    GIVEN_MALE,
    ORIGIN_REGIONS,
    ORIGIN_WEIGHTS,
    PHONE_PREFIXES,
    SURNAME_WEIGHTS,
    SURNAMES,
)
from grids.identifiers import make_id_numbers

__all__ = [
    "HOUSEHOLD_TYPES",
    "Population",
    "mean_household_size",
    "populate",
]

# type: (head age min, mode, max), P(head male), spouse, children (P of 0,1,2,3),
# grandparents (P of 0,1,2), others (min, max), grandchildren (min, max), P(hukou) bonus
_TYPES = {
    "single_young": ((18, 26, 38), 0.58, 0, (1, 0, 0, 0), (1, 0, 0), (0, 0), (0, 0), -0.05),
    "single_mid": ((38, 50, 64), 0.60, 0, (1, 0, 0, 0), (1, 0, 0), (0, 0), (0, 0), 0.0),
    "couple": ((22, 31, 58), 0.80, 1, (1, 0, 0, 0), (1, 0, 0), (0, 0), (0, 0), 0.0),
    "family": ((26, 38, 58), 0.78, 1, (0.08, 0.62, 0.28, 0.02), (1, 0, 0), (0, 0), (0, 0), 0.05),
    "three_gen": ((28, 36, 48), 0.80, 1, (0, 0.65, 0.35, 0), (0, 0.8, 0.2), (0, 0), (0, 0), 0.1),
    "elderly_couple": ((58, 64, 85), 0.85, 1, (1, 0, 0, 0), (1, 0, 0), (0, 0), (0, 0), 0.25),
    "elderly_alone": ((60, 68, 92), 0.38, 0, (1, 0, 0, 0), (1, 0, 0), (0, 0), (0, 0), 0.3),
    "shared": ((19, 24, 34), 0.55, 0, (1, 0, 0, 0), (1, 0, 0), (2, 4), (0, 0), -0.08),
    "left_behind": ((55, 63, 75), 0.50, 0, (1, 0, 0, 0), (1, 0, 0), (0, 0), (1, 2), 0.0),
    "dorm": ((19, 23, 40), 0.60, 0, (1, 0, 0, 0), (1, 0, 0), (5, 11), (0, 0), -0.1),
}
HOUSEHOLD_TYPES: tuple[str, ...] = tuple(_TYPES)

# building kind → (P of each household type in HOUSEHOLD_TYPES order, occupancy, P(hukou))
_MIX = {
    "uv": ((0.25, 0.12, 0.20, 0.29, 0.03, 0.012, 0.008, 0.085, 0.005, 0), 0.93, 0.13),
    "tower": ((0.08, 0.09, 0.17, 0.44, 0.12, 0.04, 0.02, 0.03, 0.01, 0), 0.90, 0.60),
    "walkup": ((0.09, 0.12, 0.13, 0.39, 0.09, 0.07, 0.04, 0.05, 0.02, 0), 0.92, 0.56),
    "mixed": ((0.13, 0.09, 0.18, 0.38, 0.09, 0.03, 0.02, 0.07, 0.01, 0), 0.88, 0.45),
    "dorm": ((0, 0, 0, 0, 0, 0, 0, 0, 0, 1), 0.95, 0.02),
}
_ROLE_HEAD, _ROLE_SPOUSE, _ROLE_CHILD, _ROLE_PARENT, _ROLE_OTHER, _ROLE_GRANDCHILD = range(6)
#: relation of each role (people.relation); co-tenants of a shared flat are 'tenant'
_RELATION = {
    role: RELATIONS.index(name)
    for role, name in enumerate(("head", "spouse", "child", "parent", "other", "grandchild"))
}
_TENANT = RELATIONS.index("tenant")
_DAYS_PER_YEAR = 365.2425
_SZ_DISTRICTS = (
    "440303",
    "440304",
    "440305",
    "440306",
    "440307",
    "440308",
    "440309",
    "440310",
    "440311",
)
SLOTS = 500  # sequence pairs (odd male, even female) of a 3-digit 顺序码


def mean_household_size(kind: str) -> tuple[float, float]:
    """Expected (residents per residential room, occupancy) of a building kind."""
    shares, occupancy, _ = _MIX[kind]
    size = 0.0
    for share, spec in zip(shares, _TYPES.values(), strict=True):
        _, _, spouse, children, parents, others, grandchildren, _ = spec
        members = (
            1
            + spouse
            + np.dot(children, range(4))
            + np.dot(parents, range(3))
            + sum(others) / 2
            + sum(grandchildren) / 2
        )
        size += share * members
    return size * occupancy, occupancy


@dataclass(frozen=True)
class Population:
    """Households and people of one community (indices are local to the community).

    ``household`` of a person is -1 for former residents (``moved_out`` set); days are
    counted from 1970-01-01; ``tags`` index ``tag_vocabulary``.
    """

    household_room: NDArray[np.int64]
    household_collective: NDArray[np.bool_]
    household_registered: NDArray[np.int64]
    room: NDArray[np.int64]
    household: NDArray[np.int64]
    relation: NDArray[np.int64]
    male: NDArray[np.bool_]
    birth: NDArray[np.int64]
    hukou: NDArray[np.bool_]
    tags: NDArray[np.int64]
    tag_vocabulary: list[tuple[str, ...]]
    name: VarBytes
    id_number: NDArray[np.uint8]  # (n, 18) ASCII
    phone: NDArray[np.uint8]  # (n, 11) ASCII
    has_phone: NDArray[np.bool_]
    moved_in: NDArray[np.int64]
    moved_out: NDArray[np.int64]  # -1 = still living here


def _triangular(rng: np.random.Generator, spec: tuple[float, float, float], n: int) -> NDArray:
    low, mode, high = spec
    return rng.triangular(low, mode, high, n) if n else np.zeros(0)


def populate(
    rng: np.random.Generator,
    *,
    room: NDArray[np.int64],
    kind: list[str] | NDArray,
    area_m2: NDArray[np.float64],
    district: str,
    ordinal: int,
    as_of_day: int,
) -> Population:
    """Fill the residential rooms ``room`` (with their building ``kind`` and size) with people.

    Parameters
    ----------
    rng : numpy.random.Generator
        The community's generator.
    room, kind, area_m2 : arrays of one entry per residential room
        Local room index, building kind (``uv``, ``tower``, ``walkup``, ``mixed``,
        ``dorm``) and floor area.
    district : str
        6-digit district code: the ID region of most hukou residents.
    ordinal : int
        The community's position (0..787) in code order; fixes its ID sequence slot.
    as_of_day : int
        "Today" in days since 1970-01-01.
    """
    kinds = np.asarray(kind)
    type_of_room = np.full(len(room), -1, dtype=np.int64)
    hukou_p = np.zeros(len(room))
    for name, (shares, occupancy, p_hukou) in _MIX.items():
        at = np.flatnonzero(kinds == name)
        occupied = rng.random(len(at)) < occupancy
        type_of_room[at[occupied]] = rng.choice(len(shares), occupied.sum(), p=shares)
        hukou_p[at] = p_hukou
    occupied = np.flatnonzero(type_of_room >= 0)
    household_type = type_of_room[occupied]
    members = _members(rng, household_type, area_m2[occupied], as_of_day)
    h = members["household"]
    hukou_household = rng.random(len(occupied)) < np.clip(
        hukou_p[occupied] + np.array([s[-1] for s in _TYPES.values()])[household_type], 0, 1
    )
    hukou = hukou_household[h]
    relation = np.array([_RELATION[r] for r in range(6)])[members["role"]]
    shared = household_type[h] == HOUSEHOLD_TYPES.index("shared")
    relation[shared & (members["role"] == _ROLE_OTHER)] = _TENANT
    tenure = _tenure(rng, kinds[occupied], len(occupied))
    moved_in = np.maximum(as_of_day - tenure[h], members["birth"])
    people = {
        "room": room[occupied][h],
        "household": h,
        "relation": relation,
        "male": members["male"],
        "birth": members["birth"],
        "hukou": hukou,
        "moved_in": moved_in,
        "moved_out": np.full(len(h), -1, dtype=np.int64),
        "surname": members["surname"],
        "role": members["role"],
        "htype": household_type[h],
    }
    people = _append_former_residents(rng, people, room, kinds, as_of_day)
    region = _regions(rng, people, district, as_of_day)
    birth = _unique_birth_days(people["birth"], region, people["male"], ordinal)
    tags, vocabulary = _care_tags(rng, people, birth, as_of_day)
    sequence = 2 * (ordinal % SLOTS) + people["male"].astype(np.int64)
    ids = make_id_numbers(region, birth, sequence)
    phone, has_phone = _phones(rng, birth, as_of_day)
    registered = np.full(len(occupied), as_of_day, dtype=np.int64)
    np.minimum.at(registered, h, moved_in[: len(h)])
    return Population(
        household_room=room[occupied],
        household_collective=household_type == HOUSEHOLD_TYPES.index("dorm"),
        household_registered=registered,
        room=people["room"],
        household=people["household"],
        relation=people["relation"],
        male=people["male"],
        birth=birth,
        hukou=people["hukou"],
        tags=tags,
        tag_vocabulary=vocabulary,
        name=_names(rng, people),
        id_number=ids,
        phone=phone,
        has_phone=has_phone,
        moved_in=np.minimum(people["moved_in"], as_of_day),
        moved_out=people["moved_out"],
    )


def _members(
    rng: np.random.Generator, htype: NDArray[np.int64], area: NDArray, as_of_day: int
) -> dict[str, NDArray]:
    """Roles, ages, sexes and surnames of every member of every household."""
    specs = list(_TYPES.values())
    n = len(htype)
    head_age = np.zeros(n)
    head_male = np.zeros(n, dtype=bool)
    counts = np.zeros((n, 5), dtype=np.int64)  # spouse, child, parent, other, grandchild
    for t, (ages, p_male, spouse, children, parents, others, grandchildren, _) in enumerate(specs):
        at = np.flatnonzero(htype == t)
        k = len(at)
        head_age[at] = _triangular(rng, ages, k)
        head_male[at] = rng.random(k) < p_male
        counts[at, 0] = spouse
        counts[at, 1] = rng.choice(4, k, p=children)
        counts[at, 2] = rng.choice(3, k, p=parents)
        counts[at, 3] = rng.integers(others[0], others[1] + 1, k)
        counts[at, 4] = rng.integers(grandchildren[0], grandchildren[1] + 1, k)
    crowded = (htype == HOUSEHOLD_TYPES.index("shared")) & (area < 22)
    counts[crowded, 3] += rng.integers(1, 4, crowded.sum())  # 群租: many beds, little room
    size = 1 + counts.sum(axis=1)
    household = np.repeat(np.arange(n), size)
    position = np.arange(len(household)) - np.repeat(np.cumsum(size) - size, size)
    bounds = np.cumsum(np.column_stack([np.ones(n, dtype=np.int64), counts]), axis=1)[household]
    role = (position[:, None] >= bounds).sum(axis=1)
    base = head_age[household]
    age = np.select(
        [
            role == _ROLE_HEAD,
            role == _ROLE_SPOUSE,
            role == _ROLE_CHILD,
            role == _ROLE_PARENT,
            role == _ROLE_OTHER,
        ],
        [
            base,
            np.maximum(20, base + rng.normal(-1.0, 3.0, len(role))),
            rng.random(len(role)) * np.clip(base - 22, 0.5, 17.99),
            base + rng.uniform(23, 30, len(role)),
            _triangular(rng, (18, 26, 50), len(role)),
        ],
        default=rng.uniform(2, 15, len(role)),
    )
    head_is_male = head_male[household]
    male = np.select(
        [role == _ROLE_HEAD, role == _ROLE_SPOUSE],
        [head_is_male, ~head_is_male],
        default=rng.random(len(role)) < np.where(role == _ROLE_CHILD, 0.53, 0.55),
    )
    birth = as_of_day - np.floor(age * _DAYS_PER_YEAR).astype(np.int64)
    family_name = rng.choice(len(SURNAMES), n, p=SURNAME_WEIGHTS)[household]
    own_name = rng.choice(len(SURNAMES), len(role), p=SURNAME_WEIGHTS)
    inherits = (role == _ROLE_HEAD) | (role == _ROLE_CHILD) | (role == _ROLE_GRANDCHILD)
    return {
        "household": household,
        "role": role,
        "male": male,
        "birth": birth,
        "surname": np.where(inherits, family_name, own_name),
    }


def _tenure(rng: np.random.Generator, kinds: NDArray, n: int) -> NDArray[np.int64]:
    """Days since each household moved in (城中村 tenants move often, owners stay)."""
    mean_years = np.select(
        [kinds == "uv", kinds == "dorm", kinds == "walkup"], [2.5, 1.5, 11.0], default=6.0
    )
    years = np.minimum(rng.exponential(mean_years, n), 30)
    return np.floor(years * _DAYS_PER_YEAR).astype(np.int64)


def _append_former_residents(
    rng: np.random.Generator,
    people: dict[str, NDArray],
    room: NDArray,
    kinds: NDArray,
    as_of_day: int,
) -> dict[str, NDArray]:
    """Add tenants who moved out (``moved_out`` set, no household): about 4% of the rows."""
    rented = np.flatnonzero(np.isin(kinds, ("uv", "mixed", "walkup")))
    chosen = rented[rng.random(len(rented)) < 0.09]
    k = len(chosen)
    moved_out = as_of_day - rng.integers(30, 3 * 365, k)
    moved_in = moved_out - rng.integers(60, 4 * 365, k)
    age = _triangular(rng, (18, 26, 45), k)
    extra = {
        "room": room[chosen],
        "household": np.full(k, -1, dtype=np.int64),
        "relation": np.full(k, _TENANT, dtype=np.int64),
        "male": rng.random(k) < 0.56,
        "birth": as_of_day - np.floor(age * _DAYS_PER_YEAR).astype(np.int64),
        "hukou": rng.random(k) < 0.05,
        "moved_in": moved_in,
        "moved_out": moved_out,
        "surname": rng.choice(len(SURNAMES), k, p=SURNAME_WEIGHTS),
        "role": np.full(k, _ROLE_HEAD, dtype=np.int64),
        "htype": np.full(k, HOUSEHOLD_TYPES.index("single_young"), dtype=np.int64),
    }
    return {key: np.concatenate([people[key], extra[key]]) for key in people}


def _regions(
    rng: np.random.Generator, people: dict[str, NDArray], district: str, as_of_day: int
) -> NDArray:
    """6-digit ID region per person: the place where the number was first issued.

    Hukou holders born in Shenzhen (under 40) have a Shenzhen code — their district's,
    440301 (市辖区, older numbers) or another district's; everyone else, hukou or not,
    the code of a place of origin. Family members share the head's origin (a spouse
    from elsewhere 40 % of the time).
    """
    n = len(people["birth"])
    sz_codes = (district, "440301", *[d for d in _SZ_DISTRICTS if d != district])
    sz_p = np.array([0.7, 0.2] + [0.1 / (len(sz_codes) - 2)] * (len(sz_codes) - 2))
    local = rng.choice(len(sz_codes), n, p=sz_p)
    origin = rng.choice(len(ORIGIN_REGIONS), n, p=ORIGIN_WEIGHTS)
    household = people["household"]
    heads = np.flatnonzero((people["role"] == _ROLE_HEAD) & (household >= 0))
    head_of = np.zeros(int(household.max(initial=-1)) + 1, dtype=np.int64)
    head_of[household[heads]] = heads
    follows = (
        (household >= 0)
        & (people["role"] != _ROLE_OTHER)
        & ~((people["role"] == _ROLE_SPOUSE) & (rng.random(n) < 0.4))
    )
    origin = origin[np.where(follows, head_of[np.maximum(household, 0)], np.arange(n))]
    born_here = (
        people["hukou"]
        & ((as_of_day - people["birth"]) < 40 * _DAYS_PER_YEAR)
        & (rng.random(n) < 0.6)
    )
    codes = np.array(sz_codes + ORIGIN_REGIONS)
    return codes[np.where(born_here, local, len(sz_codes) + origin)]


def _unique_birth_days(
    birth: NDArray[np.int64], region: NDArray, male: NDArray[np.bool_], ordinal: int
) -> NDArray[np.int64]:
    """Birth days made unique per (region, sex) inside the community, with the slot's parity.

    Days first move back one day where their parity is not the community's; then, per
    (region, sex) from the latest birth down, each day is pushed back just enough to lie
    two days before the previous one (a running minimum), so the order of births is kept.
    """
    if not 0 <= ordinal < 2 * SLOTS:
        raise ValueError(f"community ordinal {ordinal} outside 0..{2 * SLOTS - 1}")
    days = birth - ((birth % 2) != ordinal // SLOTS)  # communities o and o+500 share a slot
    if len(days) == 0:
        return days
    _, region_index = np.unique(region, return_inverse=True)
    group = region_index.reshape(-1).astype(np.int64) * 2 + male
    order = np.lexsort((-days, group))
    g, d = group[order], days[order]
    rank = np.arange(len(d)) - np.searchsorted(g, g, side="left")
    big = int(d.max() - d.min()) + 2 * len(d) + 1  # wider than any group's values
    lifted = d + 2 * rank + big * (int(g.max()) - g)
    unique = np.minimum.accumulate(lifted) - big * (int(g.max()) - g) - 2 * rank
    result = np.empty_like(days)
    result[order] = unique
    return result


def _care_tags(
    rng: np.random.Generator, people: dict[str, NDArray], birth: NDArray, as_of_day: int
) -> tuple[NDArray[np.int64], list[tuple[str, ...]]]:
    """Care tags (关爱对象) as an index into a vocabulary of tag combinations."""
    n = len(birth)
    age = (as_of_day - birth) / _DAYS_PER_YEAR
    current = people["moved_out"] < 0
    hukou, role, htype = people["hukou"], people["role"], people["htype"]
    roll = rng.random((n, len(CARE_TAGS)))
    flags = np.column_stack(
        [
            (htype == HOUSEHOLD_TYPES.index("elderly_alone")) & (age >= 60) & current,
            roll[:, 1] < np.select([age < 18, age < 60], [0.006, 0.012], default=0.055),
            hukou & (roll[:, 2] < np.where(age >= 70, 0.03, np.where(age >= 40, 0.003, 0))),
            hukou
            & (roll[:, 3] < np.where(htype == HOUSEHOLD_TYPES.index("elderly_alone"), 0.06, 0.004)),
            (role == _ROLE_GRANDCHILD) & (age < 16),
            (age >= 18) & (age < 65) & (roll[:, 5] < 0.0005),
            (age >= 16) & (roll[:, 6] < 0.003),
        ]
    )
    mask = flags.astype(np.int64) @ (1 << np.arange(len(CARE_TAGS)))
    combos, index = np.unique(mask, return_inverse=True)
    vocabulary = [
        tuple(t for bit, t in enumerate(CARE_TAGS) if combo >> bit & 1) for combo in combos.tolist()
    ]
    return index.reshape(-1).astype(np.int64), vocabulary


def _phones(
    rng: np.random.Generator, birth: NDArray, as_of_day: int
) -> tuple[NDArray[np.uint8], NDArray[np.bool_]]:
    """Mobile numbers (11 digits, 13x–19x) for residents aged 12 and over, most of them."""
    n = len(birth)
    prefixes = np.array(PHONE_PREFIXES).astype("S3").view(np.uint8).reshape(-1, 3)
    phone = ascii_rows(
        prefixes[rng.integers(0, len(prefixes), n)], digits(rng.integers(0, 10**8, n), 8)
    )
    has_phone = ((as_of_day - birth) >= 12 * _DAYS_PER_YEAR) & (rng.random(n) < 0.95)
    return phone, has_phone


def _names(rng: np.random.Generator, people: dict[str, NDArray]) -> VarBytes:
    """Surname + one or two given characters (from the pool of the person's sex)."""
    n = len(people["male"])
    male = people["male"]
    pool = list(GIVEN_MALE) + list(GIVEN_FEMALE)
    offset = np.where(male, 0, len(GIVEN_MALE))
    size = np.where(male, len(GIVEN_MALE), len(GIVEN_FEMALE))
    first = offset + (rng.random(n) * size).astype(np.int64)
    second = np.where(rng.random(n) < 0.72, offset + (rng.random(n) * size).astype(np.int64), -1)
    second_text = VarBytes.from_vocab([*pool, ""], np.where(second < 0, len(pool), second))
    return VarBytes.concat(
        VarBytes.from_vocab(SURNAMES, people["surname"]),
        VarBytes.from_vocab(pool, first),
        second_text,
    )
