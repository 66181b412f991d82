"""Free-text Chinese addresses as people type them, parsed into standard-address parts.

The first step of address matching (地址匹配, issue 16): a department clerk's or a
resident's text is normalised and cut into the parts of Shenzhen's standard address —
区 街道 社区 | 路 号 | 村 坊 号 | 小区/大厦 栋 | 单元 楼层 房 — so that a matcher can look a
building up by its parts and compare house numbers, 栋 and rooms exactly (a different
number is a different address, not a 95 % string match).

What is normalised, because clerks and residents write it so:

- full-width characters (１２, Ａ栋, （东门）) → half-width (NFKC);
- Chinese numerals before a unit word → Arabic (东一坊 → 东1坊, 三栋 → 3栋, 十二楼 → 12楼,
  负一层 → -1层); both the input and the base are normalised alike;
- 座 / 幢 / 号楼 / 第3栋 → 3栋; 号院 → 号; 街道办(事处) → 街道;
- spaces, punctuation and a trailing 附近 / 旁边 / 对面 / (东门) dropped;
- 广东省 / 深圳市 optional; districts, streets and communities by full or short name
  (福田区 / 福田, 沙头街道 / 沙头, 上沙社区 / 上沙), in any order.

Hand-written rather than taken from jionlp or cpca: those parse province, city and
district for all of China; here the administrative part is Shenzhen's own 79 streets and
788 communities (grids/data/shenzhen) and the rest is the address standard's own
structure (栋, 单元, 楼层, 房), which neither library parses.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from grids.codes import Level
from grids.hierarchy import CITY_NAME, read_area_records

__all__ = ["ParsedAddress", "normalise", "parse_address", "to_arabic"]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS |= {"七": 7, "八": 8, "九": 9}
_NUMERAL = "零〇一二三四五六七八九两十百"
# Words after which a number counts something: 3栋, 东1坊, 12楼, 2单元, 5号.
_COUNTED = "栋座幢坊巷号楼层单元室房路街"
_CHINESE_NUMBER = re.compile(rf"(负|第)?([{_NUMERAL}]+)(?=[{_COUNTED}])")
_NOISE_TAIL = re.compile(r"(附近|旁边|旁|对面|门口|周边|一带)+$")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")
_PUNCTUATION = re.compile(r"[\s,，。、;；:：'\"“”‘’!！?？·•~_/\\|]+")
_ROAD = re.compile(r"^(?P<road>.+?(?:大道|路|街|道))(?P<number>\d+)号")
_VILLAGE = re.compile(
    r"^(?P<village>.+?村)(?P<lane>(?:[东南西北中]?\d+|[^\d]{1,4}?)(?:坊|巷|排))(?P<number>\d+)号"
)
_BUILDING = re.compile(r"(?P<estate>.*?)(?P<building>\d+|[A-Za-z])栋")
_UNIT = re.compile(r"(\d+)单元")
_ROOM_PATTERNS = (
    re.compile(r"^(?P<floor>-?\d+)[楼层](?P<door>\d+)[号室房]?$"),  # 12楼03, 12层03号, -1层05
    re.compile(r"^[Bb](?P<basement>\d+)-?(?P<door>\d+)[号室房]?$"),  # B1-05
    re.compile(r"^(?P<floor>\d+)-(?P<door>\d+)[号室房]?$"),  # 12-03
    re.compile(r"^(?P<room>\d{3,5})[号室房]?$"),  # 1203, 1203室, 1203房
)


@dataclass(frozen=True)
class ParsedAddress:
    """The parts of one address that it names (None where it names none).

    Attributes
    ----------
    text : str
        The normalised text the parts were read from.
    district, street, community : str or None
        Codes (6, 9 and 12 digits) of the areas named, e.g. ``440304`` for 福田 / 福田区.
    road, house_number : str or None, int or None
        ``滨江路``, 12 for 滨江路12号.
    village, lane, lane_number : str or None, str or None, int or None
        ``上沙村``, ``东3坊``, 12 for 上沙村东三坊12号.
    estate : str or None
        The named place before 栋 (小区, 花园, 大厦…), e.g. ``星河丹堤``.
    building : str or None
        The 栋 (``3``, ``A``).
    unit, floor, door : int or None
        单元, 楼层 (negative below ground: B1 → -1) and 户号 of the room.
    conflicts : tuple of str
        Codes of areas named in full (沙头街道) that contradict the others (南山区): the
        text names two places, and a matcher must not pick one by itself.
    rest : str
        What was left unread (a building name with no 栋, or words the parser does
        not know); empty when everything was read.
    """

    text: str
    district: str | None = None
    street: str | None = None
    community: str | None = None
    road: str | None = None
    house_number: int | None = None
    village: str | None = None
    lane: str | None = None
    lane_number: int | None = None
    estate: str | None = None
    building: str | None = None
    unit: int | None = None
    floor: int | None = None
    door: int | None = None
    conflicts: tuple[str, ...] = ()
    rest: str = field(default="")

    @property
    def area_code(self) -> str | None:
        """The finest area the address names (community, else street, else district)."""
        return self.community or self.street or self.district


def to_arabic(numeral: str) -> int:
    """Read a Chinese numeral of up to 999 (一, 十二, 二十, 一百零五, 两百).

    Examples
    --------
    >>> [to_arabic(n) for n in ("三", "十", "十二", "二十", "二十一", "一百零五", "两百", "一二")]
    [3, 10, 12, 20, 21, 105, 200, 12]
    """
    if "十" not in numeral and "百" not in numeral:  # digit by digit: 一二〇三 → 1203
        return int("".join(str(_DIGITS[c]) for c in numeral))
    total, current = 0, 0
    for char in numeral:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _DIGITS[char]
    return total + current


def _arabic_before_units(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        sign = "-" if match.group(1) == "负" else ""
        return f"{sign}{to_arabic(match.group(2))}"

    return _CHINESE_NUMBER.sub(replace, text)


def normalise(text: str) -> str:
    """The address as the matcher compares it: one spelling for each way of writing it.

    Examples
    --------
    >>> normalise("广东省深圳市 福田区沙头街道办 上沙村东一坊１２号（东门）附近")
    '广东省深圳市福田区沙头街道上沙村东1坊12号'
    >>> normalise("星河丹堤第三座2单元十二楼03室"), normalise("凤凰花园3幢")
    ('星河丹堤3栋2单元12楼03室', '凤凰花园3栋')
    >>> normalise("8号楼B1-05")
    '8栋B1-05'
    >>> normalise("负一层05"), normalise("华强北路1002号院")
    ('-1层05', '华强北路1002号')
    """
    value = unicodedata.normalize("NFKC", text)
    value = _BRACKETS.sub("", value)
    value = _PUNCTUATION.sub("", value)
    value = value.replace("－", "-").replace("—", "-").replace("–", "-")
    value = _NOISE_TAIL.sub("", value)
    value = re.sub(r"街道办(事处)?", "街道", value)
    value = _arabic_before_units(value)
    value = re.sub(r"第(\d+)(?=[栋座幢])", r"\1", value)
    value = re.sub(r"(\d+|[A-Za-z])(?:座|幢|号楼)", r"\1栋", value)
    value = value.replace("号院", "号")
    return value


@dataclass(frozen=True)
class _AreaName:
    code: str
    level: Level
    bare: bool  # the name without its 区 / 街道 / 社区


# A bare area name followed by one of these is the start of a place's own name:
# 上沙村 and 上沙一路 are not 上沙社区 followed by 村 or 一路.
_PLACE_WORDS = re.compile(r"^(?:\d*(?:村|路|大道|街|巷|坊|花园|小区|大厦|广场|公园))")


@functools.cache
def _area_names() -> tuple[tuple[str, _AreaName], ...]:
    """Every spelling of every district, street and community, longest first."""
    suffixes = {Level.DISTRICT: "区", Level.STREET: "街道", Level.COMMUNITY: "社区"}
    names: dict[str, list[_AreaName]] = {}
    for record in read_area_records():
        if record.level not in suffixes:
            continue
        full = record.short_name
        for spelling in {full, normalise(full)}:
            names.setdefault(spelling, []).append(_AreaName(record.code, record.level, False))
        bare = full.removesuffix(suffixes[record.level])
        if len(bare) >= 2 and bare != full:  # 福田, 沙头, 上沙 — never a single character
            names.setdefault(bare, []).append(_AreaName(record.code, record.level, True))
    ordered = sorted(names.items(), key=lambda item: -len(item[0]))
    return tuple((name, area) for name, areas in ordered for area in areas)


def _read_areas(text: str) -> tuple[dict[Level, str], list[str], str]:
    """The areas named at the start of ``text`` (any order), those contradicting them,
    and what follows."""
    for prefix in ("广东省", "广东", CITY_NAME, "深圳"):
        text = text.removeprefix(prefix)
    found: dict[Level, str] = {}
    conflicts: list[str] = []
    progress = True
    while progress and text:
        progress = False
        for name, area in _area_names():
            if area.level in found or not text.startswith(name):
                continue
            if area.bare and (_PLACE_WORDS.match(text[len(name) :]) or not _fits(area, found)):
                continue
            if _fits(area, found):
                found[area.level] = area.code
            else:
                conflicts.append(area.code)
            text = text[len(name) :]
            progress = True
            break
    return found, conflicts, text


def _fits(area: _AreaName, found: dict[Level, str]) -> bool:
    """An area agrees with those already read: a street inside the district named, etc."""
    return all(area.code.startswith(code) or code.startswith(area.code) for code in found.values())


def _read_room(tail: str) -> tuple[int | None, int | None, int | None, str]:
    unit = None
    if match := _UNIT.search(tail):
        unit = int(match.group(1))
        tail = tail[: match.start()] + tail[match.end() :]
    for pattern in _ROOM_PATTERNS:
        if match := pattern.match(tail):
            parts = match.groupdict()
            if parts.get("room"):
                room = parts["room"]
                return unit, int(room[:-2]), int(room[-2:]), ""
            floor = -int(parts["basement"]) if parts.get("basement") else int(parts["floor"])
            return unit, floor, int(parts["door"]), ""
    return unit, None, None, tail


def parse_address(text: str) -> ParsedAddress:
    """Cut a free-text Shenzhen address into the parts of the standard address.

    Parameters
    ----------
    text : str
        As typed: with or without 广东省/深圳市, short or full area names, Chinese,
        Arabic or full-width numerals, rooms as 1203 / 12楼03 / 12-03 / B1-05.

    Returns
    -------
    ParsedAddress
        The parts found; ``rest`` holds what could not be read.

    Examples
    --------
    >>> a = parse_address("福田沙头上沙村东一坊12号502")
    >>> (a.district, a.street, a.village, a.lane, a.lane_number, a.floor, a.door)
    ('440304', '440304005', '上沙村', '东1坊', 12, 5, 2)
    >>> b = parse_address("深圳市南山区科技园 滨海大道3001号 A座 十二楼03")
    >>> (b.community, b.road, b.house_number, b.building, b.floor, b.door, b.rest)
    ('440305007003', '滨海大道', 3001, 'A', 12, 3, '')
    """
    value = normalise(text)
    areas, conflicts, tail = _read_areas(value)
    parts: dict[str, object] = {}
    if match := _VILLAGE.match(tail):
        parts |= {"village": match["village"], "lane": match["lane"]}
        parts["lane_number"] = int(match["number"])
        tail = tail[match.end() :]
    elif match := _ROAD.match(tail):
        parts |= {"road": match["road"], "house_number": int(match["number"])}
        tail = tail[match.end() :]
    if match := _BUILDING.match(tail):
        parts |= {"estate": match["estate"] or None, "building": match["building"].upper()}
        tail = tail[match.end() :]
    unit, floor, door, rest = _read_room(tail)
    return ParsedAddress(
        text=value,
        district=areas.get(Level.DISTRICT),
        street=areas.get(Level.STREET),
        community=areas.get(Level.COMMUNITY),
        unit=unit,
        floor=floor,
        door=door,
        conflicts=tuple(conflicts),
        rest=rest,
        **parts,  # type: ignore[arg-type]
    )
