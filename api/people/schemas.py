"""Shapes of the people API: masked by default (脱敏), full values only through a reveal."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.validation import NUL_FREE

RevealableField = Literal["id_number", "phone", "name"]


class PersonRead(BaseModel):
    id: int
    name: str = Field(description="masked: 张**")
    sex: str
    age: int
    id_number: str = Field(description="masked: region and check digit, 440304***********4")
    phone: str | None = Field(description="masked: 138****1234")
    hukou_type: str
    care_tags: list[str]
    relation: str
    grid_code: str
    room_id: int | None
    moved_in: date | None
    moved_out: date | None


class RevealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: list[RevealableField] = Field(min_length=1)
    reason: str = Field(
        min_length=5,
        max_length=500,
        pattern=NUL_FREE,
        description="why the full value is needed; written to the audit log",
    )


class RevealRead(BaseModel):
    id: int
    id_number: str | None = None
    phone: str | None = None
    name: str | None = None
