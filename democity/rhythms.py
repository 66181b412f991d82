"""When events are reported: daily and weekly rhythms, a gentle upward trend, sources.

Patrols (巡查) report in the working day with a morning peak; street vending and
restaurant fumes peak in the evening, noise at night, rubbish and dust in the early
morning; the 12345 hotline takes calls all day. Times are drawn in local time
(Asia/Shanghai, UTC+8) and returned as microseconds since 1970-01-01 UTC.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from api.events.models import EVENT_SOURCES

__all__ = ["PROFILE_OF_CATEGORY", "draw_sources", "draw_times"]

MICROS_PER_DAY = 86_400 * 1_000_000
MICROS_PER_HOUR = 3_600 * 1_000_000
LOCAL_OFFSET_US = 8 * MICROS_PER_HOUR  # UTC+8, no daylight saving

_HOURS = {
    "patrol": (
        0.2,
        0.1,
        0.1,
        0.1,
        0.1,
        0.3,
        0.8,
        2,
        4,
        6,
        6,
        5,
        2.5,
        3,
        4.5,
        5,
        4.5,
        3,
        1.8,
        1.2,
        0.8,
        0.6,
        0.4,
        0.3,
    ),
    "evening": (
        1,
        0.5,
        0.2,
        0.1,
        0.1,
        0.1,
        0.2,
        0.5,
        1,
        1.5,
        2,
        2.5,
        2.5,
        2,
        1.5,
        1.5,
        2,
        3,
        5,
        7,
        7.5,
        6.5,
        4.5,
        2.5,
    ),
    "night": (
        4,
        3,
        1.5,
        0.5,
        0.3,
        0.3,
        0.5,
        1,
        1.5,
        1.5,
        1.5,
        1.5,
        1.5,
        1.5,
        1.5,
        1.5,
        1.5,
        1.5,
        2,
        3,
        4,
        5,
        6,
        6,
    ),
    "morning": (
        0.3,
        0.2,
        0.2,
        0.3,
        0.6,
        1.5,
        3.5,
        5,
        5,
        4.5,
        3.5,
        3,
        2,
        2,
        2,
        2,
        2,
        2,
        1.5,
        1,
        0.7,
        0.5,
        0.4,
        0.3,
    ),
    "hotline": (
        0.5,
        0.3,
        0.2,
        0.1,
        0.1,
        0.2,
        0.6,
        1.5,
        3,
        4,
        4,
        3.5,
        3,
        3.5,
        3.5,
        3.5,
        3.2,
        3,
        3,
        3,
        2.8,
        2.2,
        1.5,
        1,
    ),
    "flat": (1,) * 24,
}
# Monday first
_WEEKDAYS = {
    "patrol": (1.05, 1.05, 1.0, 1.0, 1.0, 0.55, 0.45),
    "evening": (0.9, 0.9, 0.95, 1.0, 1.25, 1.4, 1.2),
    "night": (0.9, 0.9, 0.9, 0.95, 1.2, 1.35, 1.0),
    "morning": (1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.7),
    "hotline": (1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9),
    "flat": (1.0,) * 7,
}
PROFILES: tuple[str, ...] = tuple(_HOURS)
PROFILE_OF_CATEGORY = {
    "09-001": "evening",
    "09-006": "evening",
    "09-004": "evening",
    "06-006": "evening",
    "10-005": "night",
    "08-001": "night",
    "06-001": "morning",
    "06-004": "morning",
    "08-004": "morning",
    "08-005": "morning",
    "06-003": "morning",
}
_SOURCE_P = {  # patrol, supervisor, hotline, open311, sensor, import
    "facility": (0.55, 0.05, 0.22, 0.08, 0.10, 0.0),
    "social": (0.55, 0.05, 0.33, 0.07, 0.0, 0.0),
    "default": (0.68, 0.07, 0.19, 0.06, 0.0, 0.0),
}


def draw_sources(rng: np.random.Generator, group: NDArray) -> NDArray[np.int64]:
    """Source index (into EVENT_SOURCES) per event, from its category group."""
    source = np.zeros(len(group), dtype=np.int64)
    for name, p in _SOURCE_P.items():
        if name == "default":
            at = np.flatnonzero(~np.isin(group, ("facility", "social", "safety")))
        elif name == "social":
            at = np.flatnonzero(np.isin(group, ("social", "safety")))
        else:
            at = np.flatnonzero(group == name)
        source[at] = rng.choice(len(EVENT_SOURCES), len(at), p=p)
    return source


def draw_times(
    rng: np.random.Generator,
    profile: NDArray,
    *,
    start_us: int,
    end_us: int,
    hours: tuple[int, ...] | None = None,
) -> NDArray[np.int64]:
    """Report times in ``[start_us, end_us)`` following each event's rhythm ``profile``.

    With ``hours``, the hour is drawn from that tuple instead (planted hotspots).
    """
    n = len(profile)
    first_local_day = (start_us + LOCAL_OFFSET_US) // MICROS_PER_DAY
    last_local_day = (end_us + LOCAL_OFFSET_US) // MICROS_PER_DAY
    days = np.arange(first_local_day, last_local_day + 1)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    trend = np.linspace(0.85, 1.15, len(days))
    out = np.zeros(n, dtype=np.int64)
    for name in PROFILES:
        at = np.flatnonzero(profile == name)
        if len(at) == 0:
            continue
        weights = np.array(_WEEKDAYS[name])[weekday] * trend
        day = days[rng.choice(len(days), len(at), p=weights / weights.sum())]
        if hours is not None:
            hour = np.array(hours)[rng.integers(0, len(hours), len(at))]
        else:
            hourly = np.array(_HOURS[name], dtype=np.float64)
            hour = rng.choice(24, len(at), p=hourly / hourly.sum())
        local = (
            day * MICROS_PER_DAY
            + hour * MICROS_PER_HOUR
            + rng.integers(0, MICROS_PER_HOUR, len(at))
        )
        out[at] = local - LOCAL_OFFSET_US
    late = out >= end_us
    out[late] = end_us - rng.integers(60, 6 * 3600, int(late.sum())) * 1_000_000
    return np.maximum(out, start_us)
