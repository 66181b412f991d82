"""Names and addresses (门牌地址) of a community's buildings, in Chinese.

Streets of the community's grid are named after the community (上沙一路, 上沙二街...);
urban-village buildings are addressed by lane (坊) as in 上沙村东三坊12号; estates and
industrial parks by their name and building number (嘉华花园3栋, 上沙科技园5栋); the
rest by street and house number. Every address starts with 深圳市 and the district,
street and community names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from democity.columns import VarBytes
from democity.names import ESTATE_SUFFIXES, ROAD_SUFFIXES, TRADE_NAME_CHARS
from democity.profiles import KIND_NAMES

__all__ = ["BuildingLabels", "label_buildings"]

_NUMERALS = "一二三四五六七八九十"
_CIVIC = (
    "党群服务中心",
    "文体活动中心",
    "综合市场",
    "警务室",
    "老年人日间照料中心",
    "图书馆",
    "消防站",
    "垃圾转运站",
    "邮政所",
    "体育公园管理处",
)
_OTHER = ("配电房", "仓库", "铁皮房", "祠堂", "停车楼", "加油站", "仓储用房", "泵房")
_SCHOOLS = ("幼儿园", "小学", "幼儿园", "中学", "实验学校", "小学")
_CLINICS = ("社区健康服务中心", "门诊部", "医院")
_OFFICES = ("大厦", "中心", "科技大厦", "商务中心", "国际大厦")
_MALLS = ("广场", "购物中心", "商业城")
_PARKS = ("工业区", "工业园", "科技园")


@dataclass(frozen=True)
class BuildingLabels:
    """``name`` (NULL for most village houses and shops) and full ``address`` per building."""

    name: VarBytes
    address: VarBytes


def _numeral(n: int) -> str:
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens - 1]) + "十" + (_NUMERALS[ones - 1] if ones else "")


def _trade_name(rng: np.random.Generator) -> str:
    picks = rng.choice(len(TRADE_NAME_CHARS), 2, replace=False)
    return "".join(TRADE_NAME_CHARS[i] for i in picks)


def label_buildings(
    rng: np.random.Generator,
    *,
    prefix: str,
    stem: str,
    district_short: str,
    kind: NDArray[np.int64],
    block: NDArray[np.int64],
    block_row: NDArray[np.int64],
    block_side: NDArray[np.int64],
) -> BuildingLabels:
    """Name and address every building.

    Parameters
    ----------
    prefix : str
        深圳市 + district + street + community names.
    stem : str
        The community's name without 社区 (上沙), for street, village and park names.
    district_short : str
        The district's name (福田区), for school names.
    kind, block : arrays of int
        Building kind (index into KIND_NAMES) and block of each building, in the
        order in which house numbers are handed out.
    block_row, block_side : arrays of int
        Per block: its row in the street grid (streets are named per row) and on which
        side of the centre it lies (0 东, 1 南, 2 西, 3 北).
    """
    village = stem if stem.endswith("村") else stem + "村"
    rows = {row: i for i, row in enumerate(sorted(set(block_row.tolist())))}
    roads = {
        row: f"{stem}{_numeral(i % 20 + 1)}{ROAD_SUFFIXES[i % len(ROAD_SUFFIXES)]}"
        for row, i in rows.items()
    }
    house_numbers: dict[int, int] = {}
    block_names: dict[int, str] = {}
    block_counters: dict[int, int] = {}
    lanes: dict[int, int] = {}
    counters: dict[str, int] = {}
    names: list[str | None] = []
    addresses: list[str] = []
    for kind_index, b in zip(kind.tolist(), block.tolist(), strict=True):
        name = KIND_NAMES[kind_index]
        road = roads[int(block_row[b])]
        house = house_numbers.get(road_key := int(block_row[b]), -1) + 2
        house_numbers[road_key] = house
        counters[name] = counters.get(name, 0) + 1
        count = counters[name]
        label: str | None = None
        if name == "uv":
            lane = lanes.setdefault(b, len(lanes) + 1)
            number = block_counters[b] = block_counters.get(b, 0) + 1
            side = "东南西北"[int(block_side[b])]
            where = f"{village}{side}{_numeral((lane - 1) % 30 + 1)}坊{number}号"
        elif name in ("tower", "walkup", "mixed", "factory", "dorm"):
            if b not in block_names:
                block_names[b] = (
                    f"{stem}{_trade_name(rng)[0]}{_PARKS[b % len(_PARKS)]}"
                    if name in ("factory", "dorm")
                    else _trade_name(rng) + ESTATE_SUFFIXES[b % len(ESTATE_SUFFIXES)]
                )
            number = block_counters[b] = block_counters.get(b, 0) + 1
            label = f"{block_names[b]}{'宿舍' if name == 'dorm' else ''}{number}栋"
            where = label
        else:
            where = f"{road}{house}号"
            if name == "office":
                label = _trade_name(rng) + _OFFICES[count % len(_OFFICES)]
            elif name == "mall":
                label = _trade_name(rng) + _MALLS[count % len(_MALLS)]
            elif name == "school":
                label = f"{district_short}{stem}{_SCHOOLS[(count - 1) % len(_SCHOOLS)]}"
                if count > len(_SCHOOLS):
                    label = f"{district_short}{_trade_name(rng)}{_SCHOOLS[count % len(_SCHOOLS)]}"
            elif name == "clinic":
                label = (
                    f"{stem}社区健康服务中心"
                    if count == 1
                    else f"{_trade_name(rng)}{_CLINICS[count % len(_CLINICS)]}"
                )
            elif name == "civic":
                label = f"{stem}{_CIVIC[(count - 1) % len(_CIVIC)]}"
            elif name == "other":
                label = _OTHER[int(rng.integers(len(_OTHER)))]
            if label is not None:
                where = f"{where}{label}"
        names.append(label)
        addresses.append(prefix + where)
    return BuildingLabels(VarBytes.from_strings(names), VarBytes.from_strings(addresses))
