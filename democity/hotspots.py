"""Planted hotspots (预置热点): clusters of events the hotspot analysis must find.

Each hotspot is a disc of ``radius_m`` around the ``centre`` of a named community
(``shapely.point_on_surface`` of its polygon from ``build_shenzhen()``), where the
generator lays out the hotspot's ``kind`` of buildings first and adds
``max(min_events, round(events_at_full_scale * scale))`` events of its categories on
top of the ordinary ones — 70 % of them in the last ``recent_days`` days, at the
hotspot's hours. See docs/demo-city.md for the current coordinates.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import shapely

__all__ = ["PLANTED_HOTSPOTS", "PlantedHotspot", "hotspot_centre", "planted_event_count"]


@dataclass(frozen=True)
class PlantedHotspot:
    """One planted cluster of events."""

    key: str
    title: str  # what a supervisor would call it
    community_code: str
    character: str  # the community's character (forced)
    kind: str  # building kind laid out around the centre first
    categories: tuple[tuple[str, str], ...]  # (major, minor) of event_categories
    radius_m: float
    events_at_full_scale: int
    min_events: int
    recent_days: int
    hours: tuple[int, ...]  # local hours (Asia/Shanghai) the events are reported at

    @property
    def centre(self) -> tuple[float, float]:
        """(lon, lat) of the centre, from the hierarchy's community polygon."""
        return hotspot_centre(self.community_code)


PLANTED_HOTSPOTS: tuple[PlantedHotspot, ...] = (
    PlantedHotspot(
        key="futian-shangsha-street-vending",
        title="福田区沙头街道上沙社区（上沙村）夜间占道经营、流动摊贩聚集",
        community_code="440304005026",
        character="village",
        kind="uv",
        categories=(("09", "001"), ("09", "006")),  # 占道经营, 流动摊贩
        radius_m=150.0,
        events_at_full_scale=900,
        min_events=40,
        recent_days=90,
        hours=(18, 19, 19, 20, 20, 20, 21, 21, 22, 23),
    ),
    PlantedHotspot(
        key="longgang-bujixu-market-rubbish",
        title="龙岗区布吉街道布吉圩社区 市场街暴露垃圾",
        community_code="440307014001",
        character="village",
        kind="shop",
        categories=(("06", "001"), ("06", "004")),  # 暴露垃圾, 积存垃圾渣土
        radius_m=200.0,
        events_at_full_scale=700,
        min_events=40,
        recent_days=90,
        hours=(6, 7, 7, 8, 8, 9, 10, 13, 14, 19),
    ),
    PlantedHotspot(
        key="baoan-gushu-crowded-rentals",
        title="宝安区西乡街道固戍社区（固戍村）群租房与安全隐患",
        community_code="440306018001",
        character="village",
        kind="uv",
        categories=(("10", "003"), ("10", "002")),  # 群租, 安全隐患
        radius_m=180.0,
        events_at_full_scale=600,
        min_events=40,
        recent_days=120,
        hours=(9, 10, 10, 11, 14, 15, 15, 16, 17, 20),
    ),
)


@functools.cache
def hotspot_centre(community_code: str) -> tuple[float, float]:
    """(lon, lat) of the centre of the hotspot in ``community_code``."""
    from grids.hierarchy import build_shenzhen  # cached; imported late: it is heavy

    area = next(a for a in build_shenzhen() if a.code == community_code)
    point = shapely.point_on_surface(area.geometry)
    return (round(point.x, 7), round(point.y, 7))


def planted_event_count(hotspot: PlantedHotspot, scale: float) -> int:
    """Events planted in ``hotspot`` at ``scale``."""
    return max(hotspot.min_events, round(hotspot.events_at_full_scale * scale))
