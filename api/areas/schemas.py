"""Shapes of the drill-down API (逐级下钻): an area, its statistics, its children."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AreaRef(BaseModel):
    code: str
    level: str
    name: str


class AreaStatsRead(BaseModel):
    """Block-data statistics of one area (from the rollups)."""

    residents: int = Field(description="实有人口 (not moved out)")
    residents_hukou: int = Field(description="户籍人口")
    residents_non_hukou: int = Field(description="非户籍（流动）人口")
    households: int
    age_0_6: int
    age_7_17: int
    age_60_plus: int
    age_80_plus: int
    elderly_alone: int = Field(description="独居老人")
    disabled: int = Field(description="残疾人")
    special_care: int = Field(description="优抚对象")
    care_tags: dict[str, int] = Field(default_factory=dict)
    buildings: int
    rooms: int
    rooms_rented: int = Field(description="出租房屋")
    entities: int
    entities_by_type: dict[str, int] = Field(default_factory=dict)
    components: int
    components_damaged: int
    components_by_state: dict[str, int] = Field(default_factory=dict)
    events_open: int
    events_overdue: int
    events_closed_this_month: int
    closure_rate: float | None = Field(None, description="结案率 this month")
    on_time_closure_rate: float | None = Field(None, description="按期结案率 this month")
    grids: int
    refreshed_at: str


class AreaRead(BaseModel):
    code: str
    level: str
    name: str
    short_name: str
    parent_code: str | None
    breadcrumb: list[AreaRef]
    bbox: list[float] = Field(description="[min lon, min lat, max lon, max lat], WGS 84")
    centroid: list[float]
    household_target: int | None = None
    workers: list[str] = Field(default_factory=list, description="grid workers (网格员) of a grid")
    in_scope: bool = Field(description="false for an ancestor shown only in the breadcrumb")
    stats: AreaStatsRead | None


class BuildingSummary(BaseModel):
    code: str
    name: str | None
    address: str | None
    use_type: str
    floors: int
    residents: int
    households: int
    events_open: int


class AreaChildren(BaseModel):
    area: AreaRead
    child_level: str
    children: list[AreaRead] = Field(default_factory=list)
    buildings: list[BuildingSummary] = Field(
        default_factory=list, description="for a basic grid: its buildings"
    )
