"""Departments (职能部门) that handle dispatched events and own components."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Identity, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.columns import code_type
from api.db import Base


class Department(Base):
    """A responsible department, at city or district level (``area_code``)."""

    __tablename__ = "departments"
    __table_args__ = (CheckConstraint("area_code ~ '^[0-9]{4}([0-9]{2})?$'", name="area_level"),)

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    name_en: Mapped[str | None] = mapped_column(String(100))
    area_code: Mapped[str] = mapped_column(code_type(6), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(30))
