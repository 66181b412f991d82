"""Reference data (代码表) for clients: the codes of events and the map legends, zh and en.

Everything here is the same for every caller and nothing is personal, so no login is
needed: the dashboard reads it once at start-up instead of keeping its own copies.
"""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.events.statuses import ACTIONS, OVERDUE, PRIORITIES, SOURCES, STATUSES
from api.maps.layers import LAYERS


class TermRead(BaseModel):
    code: str | int
    label_zh: str
    label_en: str
    color: str | None = None


class StatusRead(TermRead):
    open: bool = Field(description="counted as open (在办)")
    final: bool = Field(description="closed or rejected (办结): no step leads on")


class ActionRead(TermRead):
    note_required: bool = Field(description="the step needs a note saying why")


class LegendEntryRead(BaseModel):
    value: str
    label_zh: str
    label_en: str
    color: str


class ReferenceRead(BaseModel):
    event_statuses: list[StatusRead] = Field(description="in workflow order")
    event_overdue: TermRead = Field(description="not a status: an open case past its deadline")
    event_priorities: list[TermRead]
    event_sources: list[TermRead]
    event_actions: list[ActionRead]
    legends: dict[str, list[LegendEntryRead]] = Field(
        description="the legend of each map layer that has one, as in its TileJSON"
    )


def reference_data() -> ReferenceRead:
    return ReferenceRead(
        event_statuses=[StatusRead(**asdict(term)) for term in STATUSES],
        event_overdue=TermRead(**asdict(OVERDUE)),
        event_priorities=[TermRead(**asdict(term)) for term in PRIORITIES],
        event_sources=[TermRead(**asdict(term)) for term in SOURCES],
        event_actions=[ActionRead(**asdict(term)) for term in ACTIONS],
        legends={
            layer.id: [LegendEntryRead(**entry) for entry in layer.legend_json()]
            for layer in LAYERS.values()
            if layer.legend_entries
        },
    )


router = APIRouter(tags=["dashboard"])


@router.get(
    "/api/reference",
    response_model=ReferenceRead,
    summary="Codes and labels: event statuses, priorities, sources, steps; map legends",
)
async def read_reference() -> ReferenceRead:
    return reference_data()
