"""Hotspot runs (热点分析): the parameters of one analysis and its per-unit results."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from api.columns import code_type, geometry
from api.db import Base


class HotspotRun(Base):
    """A cached hotspot analysis (热点分析): its parameters and per-unit results."""

    __tablename__ = "hotspot_runs"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    area_code: Mapped[str] = mapped_column(code_type(14), nullable=False, index=True)
    params_hash: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    params: Mapped[dict] = mapped_column(JSONB, nullable=False)
    results: Mapped[dict] = mapped_column(JSONB, nullable=False)
    data_version: Mapped[int] = mapped_column(BigInteger, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class HotspotUnitResult(Base):
    """One unit of a hotspot run: counts, Gi* statistics, class, emerging pattern, shape."""

    __tablename__ = "hotspot_results"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("hotspot_runs.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[str] = mapped_column(code_type(20), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(100))
    events: Mapped[int] = mapped_column(Integer, nullable=False)
    rate: Mapped[float | None] = mapped_column(Float)
    z: Mapped[float] = mapped_column(Float, nullable=False)
    p: Mapped[float] = mapped_column(Float, nullable=False)
    q: Mapped[float] = mapped_column(Float, nullable=False)
    gi_bin: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    pattern: Mapped[str | None] = mapped_column(String(30))
    pattern_label: Mapped[str | None] = mapped_column(String(30))
    p_permutation: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer, nullable=False)
    weekly: Mapped[list[int]] = mapped_column(ARRAY(Integer), nullable=False)
    geom_3857 = mapped_column(geometry("MULTIPOLYGON", 3857), nullable=False)

    __table_args__ = (Index("ix_hotspot_results_run_id_rank", "run_id", "rank", unique=True),)
