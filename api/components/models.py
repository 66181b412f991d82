"""City components (部件): manholes, street lamps, hydrants, bus shelters, toilets, trees..."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, ForeignKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from api.columns import Timestamps, code_type, digits, geometry
from api.db import Base

COMPONENT_STATES = ("intact", "damaged", "lost", "occupied")  # 完好 / 破损 / 丢失 / 占用


class ComponentClass(Base):
    """A component class: 2-digit major + 3-digit minor (GB/T 30428 structure)."""

    __tablename__ = "component_classes"
    __table_args__ = (
        CheckConstraint("major ~ '^[0-9]{2}$' AND minor ~ '^[0-9]{3}$'", name="code_format"),
    )

    major: Mapped[str] = mapped_column(code_type(2), primary_key=True)
    minor: Mapped[str] = mapped_column(code_type(3), primary_key=True)
    major_name: Mapped[str] = mapped_column(String(50), nullable=False)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(80))


class Component(Base, Timestamps):
    """One component with its 17-digit id: district 6 + major 2 + minor 3 + sequence 6."""

    __tablename__ = "components"
    __table_args__ = (
        CheckConstraint(digits("id", 17), name="id_format"),
        CheckConstraint(
            "substr(id, 7, 2) = major AND substr(id, 9, 3) = minor", name="id_has_class"
        ),
        CheckConstraint(f"state IN {COMPONENT_STATES!r}", name="state_known"),
        CheckConstraint(digits("grid_code", 14), name="grid_code_format"),
        ForeignKeyConstraint(
            ["major", "minor"], ["component_classes.major", "component_classes.minor"]
        ),
    )

    id: Mapped[str] = mapped_column(code_type(17), primary_key=True)
    major: Mapped[str] = mapped_column(code_type(2), nullable=False)
    minor: Mapped[str] = mapped_column(code_type(3), nullable=False)
    geom = mapped_column(geometry("POINT"), nullable=False)
    geom_3857 = mapped_column(geometry("POINT", 3857), nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False, server_default="intact")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    grid_code: Mapped[str] = mapped_column(code_type(14), nullable=False, index=True)
    installed_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(200))
