"""Administrative areas and basic grids (行政区划与基础网格), and their rollups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, SmallInteger, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from api.columns import code_type, geometry
from api.db import Base

AREA_LEVELS = ("city", "district", "street", "community", "grid")
CODE_LENGTH = {"city": 4, "district": 6, "street": 9, "community": 12, "grid": 14}


class Area(Base):
    """One area of the hierarchy: city 4403 → district → street → community → basic grid.

    Basic grids (基础网格) live here too (level ``grid``, 14-digit code) so that drill-down,
    scope and statistics treat every level alike.
    """

    __tablename__ = "areas"
    __table_args__ = (
        CheckConstraint(
            "(level = 'city' AND code ~ '^[0-9]{4}$')"
            " OR (level = 'district' AND code ~ '^[0-9]{6}$')"
            " OR (level = 'street' AND code ~ '^[0-9]{9}$')"
            " OR (level = 'community' AND code ~ '^[0-9]{12}$')"
            " OR (level = 'grid' AND code ~ '^[0-9]{14}$')",
            name="code_matches_level",
        ),
        CheckConstraint(
            "(level = 'city') = (parent_code IS NULL)"
            " AND (parent_code IS NULL OR left(code, length(parent_code)) = parent_code)",
            name="parent_is_prefix",
        ),
        CheckConstraint("level = 'grid' OR household_target IS NULL", name="target_only_on_grids"),
    )

    code: Mapped[str] = mapped_column(code_type(14), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    short_name: Mapped[str] = mapped_column(String(50), nullable=False)
    parent_code: Mapped[str | None] = mapped_column(
        code_type(14), ForeignKey("areas.code", ondelete="RESTRICT"), index=True
    )
    geom = mapped_column(geometry("MULTIPOLYGON"), nullable=False)
    geom_3857 = mapped_column(geometry("MULTIPOLYGON", 3857), nullable=False)
    household_target: Mapped[int | None] = mapped_column(Integer)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class GridWorker(Base):
    """A grid worker (网格员) assigned to a basic grid; 一格一员 with optional assistants."""

    __tablename__ = "grid_workers"
    __table_args__ = (
        CheckConstraint("length(grid_code) = 14", name="grid_level"),
        CheckConstraint("duty IN ('primary', 'assistant')", name="duty_known"),
    )

    grid_code: Mapped[str] = mapped_column(
        code_type(14), ForeignKey("areas.code", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    duty: Mapped[str] = mapped_column(String(10), nullable=False, server_default="primary")
    assigned_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class AreaStats(Base):
    """Rollup (汇总) of one area's block data, refreshed after loads and kept on writes."""

    __tablename__ = "area_stats"

    area_code: Mapped[str] = mapped_column(
        code_type(14), ForeignKey("areas.code", ondelete="CASCADE"), primary_key=True
    )
    residents: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    residents_hukou: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    households: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    age_0_6: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    age_7_17: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    age_60_plus: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    age_80_plus: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    elderly_alone: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    disabled: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    special_care: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    buildings: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    rooms: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    rooms_rented: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    entities: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    components: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    components_damaged: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    events_open: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    events_overdue: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    grids: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="0")
    details: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default="{}")
    refreshed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
