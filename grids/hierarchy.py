"""Shenzhen's administrative hierarchy: city → 9 districts → 79 streets → 788 communities.

Names and codes are real (``grids/data/shenzhen/*.csv``, GB/T 2260 and the statistics
bureau's 12-digit codes). District outlines are real but coarse; street and community
polygons are synthetic (see :mod:`grids.synthesis` and the data README).

>>> records = read_area_records()
>>> [sum(r.level == level for r in records) for level in Level if level.length <= 12]
[1, 9, 79, 788]
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

from shapely.geometry import MultiPolygon, Polygon

from grids.codes import Level
from grids.synthesis import CITY_CODE, synthesise_geometries

__all__ = [
    "CITY_CODE",
    "CITY_NAME",
    "Area",
    "AreaRecord",
    "build_shenzhen",
    "read_area_records",
    "short_area_name",
]

CITY_NAME = "深圳市"
_DATA = "data/shenzhen"

# Community committee names come in several spellings; the display name keeps the
# community (社区) and drops the committee (居民委员会/居委会/居委).
_COMMITTEE = "(?:居民委员会|居委会|居委)"
_SHORT_NAME_RULES = (
    (re.compile(rf"^(.+社区){_COMMITTEE}$"), r"\1"),  # 大塘龙社区居民委员会 -> 大塘龙社区
    (re.compile(rf"^(.+社区)(.+?){_COMMITTEE}$"), r"\1\2"),  # 杨美社区嘉丽园居委会
    (re.compile(rf"^(.+?){_COMMITTEE}$"), r"\1社区"),  # 小梅沙居委会 -> 小梅沙社区
    (re.compile(r"^深圳市?(.+)$"), r"\1"),  # 深圳市宝安国际机场 -> 宝安国际机场
)


def short_area_name(name: str) -> str:
    """Return the display name of an area: committee suffixes and the 深圳 prefix dropped.

    Examples
    --------
    >>> short_area_name("大塘龙社区居民委员会"), short_area_name("沙埔头社区居委会")
    ('大塘龙社区', '沙埔头社区')
    >>> short_area_name("小梅沙居委会"), short_area_name("杨美社区嘉丽园居委会")
    ('小梅沙社区', '杨美社区嘉丽园')
    >>> short_area_name("深圳市宝安国际机场"), short_area_name("深圳市"), short_area_name("福田区")
    ('宝安国际机场', '深圳市', '福田区')
    """
    for pattern, replacement in _SHORT_NAME_RULES:
        if pattern.match(name) and name != CITY_NAME:
            return pattern.sub(replacement, name)
    return name


@dataclass(frozen=True)
class AreaRecord:
    """Name and place in the hierarchy of one area, without geometry."""

    code: str
    name: str
    level: Level
    parent_code: str | None

    @property
    def short_name(self) -> str:
        """Display name, e.g. 大塘龙社区 for 大塘龙社区居民委员会."""
        return short_area_name(self.name)


@dataclass(frozen=True, eq=False)
class Area:
    """One administrative area with its WGS 84 geometry.

    Attributes
    ----------
    code : str
        4 (city), 6 (district, 区), 9 (street, 街道) or 12 (community, 社区) digits.
    name : str
        Official name, e.g. 桂园街道, 大塘龙社区居民委员会.
    level : grids.codes.Level
        ``Level.CITY``, ``DISTRICT``, ``STREET`` or ``COMMUNITY``.
    parent_code : str or None
        The code one level up; None for the city.
    geometry : shapely.Polygon or shapely.MultiPolygon
        WGS 84 (lon, lat). Streets and communities are single Polygons except those
        holding islands (蛇口街道 and its 大铲社区).
    """

    code: str
    name: str
    level: Level
    parent_code: str | None
    geometry: Polygon | MultiPolygon

    @property
    def short_name(self) -> str:
        """Display name, e.g. 大塘龙社区 for 大塘龙社区居民委员会."""
        return short_area_name(self.name)


def _read_csv(filename: str) -> Iterator[dict[str, str]]:
    text = resources.files("grids").joinpath(f"{_DATA}/{filename}").read_text(encoding="utf-8")
    return iter(csv.DictReader(io.StringIO(text)))


@functools.cache
def _records() -> tuple[AreaRecord, ...]:
    records = [AreaRecord(CITY_CODE, CITY_NAME, Level.CITY, None)]
    records += [
        AreaRecord(row["code"], row["name"], Level.DISTRICT, CITY_CODE)
        for row in _read_csv("districts.csv")
    ]
    records += [
        AreaRecord(row["code"], row["name"], Level.STREET, row["areaCode"])
        for row in _read_csv("streets.csv")
    ]
    records += [
        AreaRecord(row["code"], row["name"], Level.COMMUNITY, row["streetCode"])
        for row in _read_csv("communities.csv")
    ]
    return tuple(records)


def read_area_records() -> list[AreaRecord]:
    """Return the real names and codes of the city, its districts, streets and communities.

    Returns
    -------
    list of AreaRecord
        1 + 9 + 79 + 788 records, city first, then by level and code.
    """
    return list(_records())


@functools.lru_cache(maxsize=4)
def _build(seed: int) -> tuple[Area, ...]:
    records = _records()
    children: dict[str, list[str]] = {}
    for record in records:
        if record.parent_code is not None:
            children.setdefault(record.parent_code, []).append(record.code)
    districts = [r.code for r in records if r.level == Level.DISTRICT]
    streets = [r.code for r in records if r.level == Level.STREET]
    geometries = synthesise_geometries(
        {code: children[code] for code in districts},
        {code: children[code] for code in streets},
        seed=seed,
    )
    return tuple(Area(r.code, r.name, r.level, r.parent_code, geometries[r.code]) for r in records)


def build_shenzhen(seed: int = 0) -> list[Area]:
    """Return all 877 areas of Shenzhen with WGS 84 geometries (cached per seed).

    District outlines are the real (coarse) ones; street and community polygons are
    synthesised from ``seed`` with their real names and codes. Each level tiles its
    parent exactly (see :func:`grids.coverage.check_tiling`).

    Parameters
    ----------
    seed : int, default 0
        Seed of the synthetic street and community polygons.

    Returns
    -------
    list of Area
        The city (4403), 9 districts, 79 streets and 788 communities, in that order
        and by code within each level.
    """
    return list(_build(seed))
