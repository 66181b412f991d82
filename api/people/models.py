"""People (人口): residents with encrypted identifiers, care tags and where they live."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    LargeBinary,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from api.columns import Timestamps, code_type, digits
from api.db import Base

HUKOU_TYPES = ("local", "non_local")  # 户籍 / 非户籍（流动人口）
CARE_TAGS = (
    "elderly_alone",  # 独居老人
    "disabled",  # 残疾人
    "special_care",  # 优抚对象
    "low_income",  # 低保
    "left_behind_child",  # 留守儿童
    "community_correction",  # 社区矫正
    "mental_health",  # 严重精神障碍患者
)
RELATIONS = ("head", "spouse", "child", "parent", "grandchild", "sibling", "tenant", "other")


class Person(Base, Timestamps):
    """A resident (实有人口). ID number and phone are AES-GCM ciphertexts plus keyed hashes."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint("sex IN ('M', 'F')", name="sex_known"),
        CheckConstraint(f"hukou_type IN {HUKOU_TYPES!r}", name="hukou_known"),
        CheckConstraint(
            f"care_tags <@ ARRAY{list(CARE_TAGS)!r}::varchar[]", name="care_tags_known"
        ),
        CheckConstraint(f"relation IN {RELATIONS!r}", name="relation_known"),
        CheckConstraint("moved_out IS NULL OR moved_out >= moved_in", name="moves_ordered"),
        CheckConstraint("length(id_number_hash) = 32", name="id_hash_length"),
        CheckConstraint(digits("grid_code", 14), name="grid_code_format"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    id_number_hash: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    sex: Mapped[str] = mapped_column(String(1), nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_hash: Mapped[bytes | None] = mapped_column(LargeBinary, index=True)
    hukou_type: Mapped[str] = mapped_column(String(10), nullable=False)
    care_tags: Mapped[list[str]] = mapped_column(
        ARRAY(String(30)), nullable=False, server_default=text("'{}'")
    )
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("rooms.id", ondelete="SET NULL"), index=True
    )
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL"), index=True
    )
    relation: Mapped[str] = mapped_column(String(12), nullable=False, server_default="head")
    grid_code: Mapped[str] = mapped_column(code_type(14), nullable=False, index=True)
    moved_in: Mapped[date | None] = mapped_column(Date)
    moved_out: Mapped[date | None] = mapped_column(Date)
