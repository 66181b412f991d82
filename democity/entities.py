"""Legal entities (法人) of one community: shops, companies, social organisations, public bodies.

Individual businesses (个体工商户) take most ground-floor shops; companies (企业) register
in office units (several per unit), factory floors and the upper floors of commercial
buildings; schools and clinics are public institutions (事业单位); each community has its
work station (社区工作站, 机关) and the first community of a street the street office.
Social organisations (社会组织: 协会, 社工服务中心, 基金会) sit in civic buildings.

Unified social credit codes are valid GB 32100 codes (with a valid GB 11714
organisation-code check character) and unique across the city: the organisation
body is ``MA`` + 6 base-31 characters of an affine scramble of
``community ordinal * 10**6 + local number``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from api.buildings.models import ROOM_USES
from api.entities.models import ENTITY_TYPES
from democity.columns import VarBytes, ascii_rows
from democity.names import (
    BUSINESS_TRADES,
    COMPANY_INDUSTRIES,
    SOCIAL_ORGANISATION_KINDS,
    TRADE_NAME_CHARS,
)
from democity.profiles import KIND_NAMES
from grids.identifiers import CREDIT_CODE_ALPHABET, make_credit_codes

__all__ = ["Entities", "credit_codes", "make_entities"]

_MODULUS = 31**6
_MULTIPLIER = 387_420_489  # 3**18, coprime to 31: the scramble is a bijection
_INCREMENT = 123_456_789
_ALPHABET = np.frombuffer(CREDIT_CODE_ALPHABET.encode(), dtype=np.uint8)
_DAYS_PER_YEAR = 365.2425
_ENTERPRISE, _INDIVIDUAL, _SOCIAL, _PUBLIC, _GOVERNMENT = (
    ENTITY_TYPES.index(t)
    for t in (
        "enterprise",
        "individual_business",
        "social_organisation",
        "public_institution",
        "government",
    )
)
#: per entity type: registration authority and institution type of GB 32100 (社会组织 varies)
_AUTHORITY = {_ENTERPRISE: "91", _INDIVIDUAL: "92", _PUBLIC: "12", _GOVERNMENT: "11"}


@dataclass(frozen=True)
class Entities:
    """Entities of a community (``room`` is -1 when only the building is known)."""

    entity_type: NDArray[np.int64]  # index into ENTITY_TYPES
    building: NDArray[np.int64]
    room: NDArray[np.int64]
    credit_code: NDArray[np.uint8]  # (n, 18) ASCII
    name: VarBytes
    industry: VarBytes
    employees: NDArray[np.int64]
    status: NDArray[np.int64]  # index into ENTITY_STATUSES
    registered: NDArray[np.int64]  # days since 1970-01-01
    legal_person: NDArray[np.int64]  # local person index or -1


def credit_codes(
    prefix: NDArray[np.uint8], division: NDArray[np.uint8], serial: NDArray[np.int64]
) -> NDArray[np.uint8]:
    """Credit codes (``(n, 18)`` ASCII) whose organisation body comes from a serial number.

    ``prefix`` is authority + type ``(n, 2)``, ``division`` the 6-digit area ``(n, 6)``,
    ``serial`` a unique number below 31**6, scrambled (a bijection) into the body
    ``MA`` + 6 characters; :func:`grids.identifiers.make_credit_codes` adds the checks.
    """
    scrambled = (serial.astype(np.int64) * _MULTIPLIER + _INCREMENT) % _MODULUS
    powers = 31 ** np.arange(5, -1, -1, dtype=np.int64)
    body = ascii_rows("MA", _ALPHABET[(scrambled[:, None] // powers) % 31])
    return make_credit_codes(prefix, division, body)


def make_entities(
    rng: np.random.Generator,
    *,
    ordinal: int,
    district: str,
    names: dict[str, str],
    hosts_street_office: bool,
    building_kind: NDArray[np.int64],
    building_name: VarBytes,
    room_building: NDArray[np.int64],
    room_use: NDArray[np.int64],
    room_floor: NDArray[np.int64],
    adults: NDArray[np.int64],
    social_organisations: int,
    as_of_day: int,
) -> Entities:
    """Entities of a community from its buildings, rooms and adult residents.

    ``names`` holds ``district``, ``street``, ``community`` and ``stem`` (short names).
    """
    kind_name = np.array(KIND_NAMES)[building_kind[room_building]]
    commercial = room_use == ROOM_USES.index("commercial")
    roll = rng.random(len(room_use))
    shop_floor = commercial & ((kind_name != "mall") & ((room_floor == 1) | (kind_name == "shop")))
    individual = np.flatnonzero(shop_floor & (roll < 0.62))
    company_rooms = np.concatenate(
        [
            np.flatnonzero(commercial & (kind_name == "mall") & (roll < 0.45)),
            np.flatnonzero((room_use == ROOM_USES.index("industrial")) & (roll < 0.55)),
            np.repeat(
                np.flatnonzero(room_use == ROOM_USES.index("office")),
                rng.poisson(0.6, int((room_use == ROOM_USES.index("office")).sum())),
            ),
        ]
    )
    public_buildings = np.flatnonzero(
        np.isin(np.array(KIND_NAMES)[building_kind], ("school", "clinic"))
    )
    civic = np.flatnonzero(np.array(KIND_NAMES)[building_kind] == "civic")
    social_home = civic if len(civic) else np.arange(len(building_kind))
    social = (
        rng.choice(social_home, social_organisations)
        if len(social_home)
        else np.zeros(0, dtype=np.int64)
    )
    first_room = np.full(len(building_kind), -1, dtype=np.int64)
    with_rooms, first = np.unique(room_building, return_index=True)
    first_room[with_rooms] = first
    government = civic[:1] if len(civic) else np.arange(min(1, len(building_kind)))
    government = np.repeat(government, 2 if hosts_street_office else 1)
    entity_type = np.concatenate(
        [
            np.full(len(individual), _INDIVIDUAL),
            np.full(len(company_rooms), _ENTERPRISE),
            np.full(len(social), _SOCIAL),
            np.full(len(public_buildings), _PUBLIC),
            np.full(len(government), _GOVERNMENT),
        ]
    ).astype(np.int64)
    room = np.concatenate(
        [
            individual,
            company_rooms,
            np.full(len(social), -1),
            first_room[public_buildings],
            first_room[government],
        ]
    ).astype(np.int64)
    building = np.concatenate(
        [
            room_building[individual],
            room_building[company_rooms],
            social,
            public_buildings,
            government,
        ]
    ).astype(np.int64)
    n = len(entity_type)
    serial = ordinal * 10**6 + np.arange(n)
    social_kind = rng.integers(0, len(SOCIAL_ORGANISATION_KINDS), n)
    prefix = np.array(
        [
            _AUTHORITY.get(t, "5" + SOCIAL_ORGANISATION_KINDS[k][1])
            for t, k in zip(entity_type.tolist(), social_kind.tolist(), strict=True)
        ]
    )
    city_level = (entity_type == _ENTERPRISE) | ((entity_type == _SOCIAL) & (rng.random(n) < 0.3))
    division = np.where(city_level, "440300", district)
    codes = credit_codes(
        prefix.astype("S2").view(np.uint8).reshape(-1, 2),
        division.astype("S6").view(np.uint8).reshape(-1, 6),
        serial,
    )
    label, industry = _names(
        rng,
        entity_type,
        building_kind[building],
        social_kind,
        names,
        building_name.take(building),
        hosts_street_office,
    )
    business = (entity_type == _ENTERPRISE) | (entity_type == _INDIVIDUAL)
    status = np.where(business, rng.choice(3, n, p=(0.88, 0.04, 0.08)), 0)
    years = np.minimum(rng.exponential(np.where(business, 5.0, 12.0)), 40.0)
    registered = as_of_day - np.floor(years * _DAYS_PER_YEAR).astype(np.int64)
    legal_chance = np.select(
        [entity_type == _INDIVIDUAL, entity_type == _ENTERPRISE], [0.7, 0.3], default=0.0
    )
    legal = np.where(
        (rng.random(n) < legal_chance) & (len(adults) > 0),
        adults[rng.integers(0, max(1, len(adults)), n)] if len(adults) else -1,
        -1,
    )
    factory = np.array(KIND_NAMES)[building_kind[building]] == "factory"
    employees = np.select(
        [
            entity_type == _INDIVIDUAL,
            factory & (entity_type == _ENTERPRISE),
            entity_type == _ENTERPRISE,
            entity_type == _SOCIAL,
        ],
        [
            rng.integers(1, 7, n),
            np.rint(rng.lognormal(3.4, 1.0, n)) + 5,
            np.rint(rng.lognormal(1.6, 1.1, n)) + 1,
            rng.integers(0, 21, n),
        ],
        default=rng.integers(12, 160, n),
    ).astype(np.int64)
    return Entities(
        entity_type,
        building,
        room,
        codes,
        label,
        industry,
        employees,
        status.astype(np.int64),
        registered,
        legal.astype(np.int64),
    )


def _names(
    rng: np.random.Generator,
    entity_type: NDArray[np.int64],
    kind: NDArray[np.int64],
    social_kind: NDArray[np.int64],
    names: dict[str, str],
    building_name: VarBytes,
    hosts_street_office: bool,
) -> tuple[VarBytes, VarBytes]:
    """Entity names and GB/T 4754 industry letters."""
    n = len(entity_type)
    trade = VarBytes.concat(
        VarBytes.from_vocab(TRADE_NAME_CHARS, rng.integers(0, len(TRADE_NAME_CHARS), n)),
        VarBytes.from_vocab(TRADE_NAME_CHARS, rng.integers(0, len(TRADE_NAME_CHARS), n)),
    )
    kind_name = np.array(KIND_NAMES)[kind]
    group = np.where(
        kind_name == "factory",
        "industrial",
        np.where(np.isin(kind_name, ("shop", "mall")), "commercial", "office"),
    )
    words = [w for g in COMPANY_INDUSTRIES for w, _ in COMPANY_INDUSTRIES[g]]
    letters = [c for g in COMPANY_INDUSTRIES for _, c in COMPANY_INDUSTRIES[g]]
    starts = np.cumsum([0] + [len(COMPANY_INDUSTRIES[g]) for g in COMPANY_INDUSTRIES])[:-1]
    sizes = np.array([len(COMPANY_INDUSTRIES[g]) for g in COMPANY_INDUSTRIES])
    group_index = np.array(
        [list(COMPANY_INDUSTRIES).index(g) for g in group.tolist()], dtype=np.int64
    )
    word = starts[group_index] + (rng.random(n) * sizes[group_index]).astype(np.int64)
    company = VarBytes.concat("深圳市", trade, VarBytes.from_vocab(words, word), "有限公司")
    shop = rng.integers(0, len(BUSINESS_TRADES), n)
    individual = VarBytes.concat(
        names["district"], trade, VarBytes.from_vocab([t for t, _ in BUSINESS_TRADES], shop)
    )
    social = VarBytes.concat(
        names["district"],
        names["community"],
        VarBytes.from_vocab([k for k, _ in SOCIAL_ORGANISATION_KINDS], social_kind),
    )
    government_names = [
        f"{names['district']}{names['street']}{names['community']}工作站",
        f"{names['district']}{names['street']}办事处",
    ]
    is_government = entity_type == _GOVERNMENT
    government_rank = np.cumsum(is_government) - 1
    government = VarBytes.from_vocab(
        government_names,
        np.where(is_government, np.minimum(government_rank, 1 if hosts_street_office else 0), 0),
    )
    public = _select(
        (building_name.lengths >= 0).astype(np.int64),
        {
            1: building_name,
            0: VarBytes.constant(f"{names['stem']}公共服务机构", n),
        },
    )
    label = _select(
        entity_type,
        {
            _ENTERPRISE: company,
            _INDIVIDUAL: individual,
            _SOCIAL: social,
            _PUBLIC: public,
            _GOVERNMENT: government,
        },
    )
    industry_letter = np.select(
        [entity_type == _ENTERPRISE, entity_type == _INDIVIDUAL, entity_type == _PUBLIC],
        [
            np.array(letters)[word],
            np.array([c for _, c in BUSINESS_TRADES])[shop],
            np.where(kind_name == "school", "P", "Q"),
        ],
        default="S",
    )
    return label, VarBytes.from_strings(industry_letter.tolist())


def _select(key: NDArray[np.int64], columns: dict[int, VarBytes]) -> VarBytes:
    """Row ``i`` from ``columns[key[i]]`` (all columns have the same rows)."""
    n = len(key)
    stacked = VarBytes.stack(list(columns.values()))
    position = np.zeros(max(columns) + 1, dtype=np.int64)
    position[list(columns)] = np.arange(len(columns))
    return stacked.take(position[key] * n + np.arange(n))
