"""Legal entities (法人): companies, individual businesses, social organisations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Identity, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.columns import Timestamps, code_type, digits
from api.db import Base

ENTITY_TYPES = (
    "enterprise",  # 企业
    "individual_business",  # 个体工商户
    "social_organisation",  # 社会组织
    "public_institution",  # 事业单位
    "government",  # 机关
)
ENTITY_STATUSES = ("active", "suspended", "deregistered")  # 存续 / 停业 / 注销

# GB 32100: 18 characters from 0-9 A-H J-N P-R T-U W-Y (no I, O, S, V, Z).
CREDIT_CODE_PATTERN = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"


class Entity(Base, Timestamps):
    """A legal entity located in a room or, when the room is unknown, a building."""

    __tablename__ = "entities"
    __table_args__ = (
        CheckConstraint(f"credit_code ~ '{CREDIT_CODE_PATTERN}'", name="credit_code_format"),
        CheckConstraint(f"entity_type IN {ENTITY_TYPES!r}", name="type_known"),
        CheckConstraint(f"status IN {ENTITY_STATUSES!r}", name="status_known"),
        CheckConstraint("employees IS NULL OR employees >= 0", name="employees_positive"),
        CheckConstraint(digits("grid_code", 14), name="grid_code_format"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    credit_code: Mapped[str] = mapped_column(code_type(18), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    entity_type: Mapped[str] = mapped_column(String(30), nullable=False)
    industry: Mapped[str | None] = mapped_column(String(10))  # GB/T 4754 门类/大类
    building_id: Mapped[int] = mapped_column(
        ForeignKey("buildings.id", ondelete="CASCADE"), nullable=False, index=True
    )
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("rooms.id", ondelete="SET NULL"), index=True
    )
    grid_code: Mapped[str] = mapped_column(code_type(14), nullable=False, index=True)
    employees: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(15), nullable=False, server_default="active")
    registered_on: Mapped[date | None] = mapped_column(Date)
    legal_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
