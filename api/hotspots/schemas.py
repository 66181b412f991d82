"""What a hotspot analysis (热点分析) is asked for: units, window, categories, measure."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Literal

Unit = Literal["grid", "community", "h3"]
Measure = Literal["count", "rate"]


# Category groups (GROUPS of event_categories.group) a hotspot analysis may filter by.
GROUPS = (
    "facility",
    "environment",
    "advertising",
    "construction",
    "street_order",
    "social",
    "safety",
)


@dataclass(frozen=True)
class HotspotQuery:
    """What to analyse; ``area`` is a code prefix inside the caller's scope."""

    area: str
    unit: Unit = "grid"
    resolution: int = 9
    window_days: int = 30
    end: datetime | None = None
    major: str | None = None
    group: str | None = None
    measure: Measure = "count"
    weeks: int = 12
    repeat_min: int = 5

    def fingerprint(self, end: datetime) -> str:
        params = asdict(self) | {"end": end.isoformat()}
        return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
