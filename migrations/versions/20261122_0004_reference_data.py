"""Reference data: Shenzhen's responsible departments and the component classes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CITY_DEPARTMENTS = [
    # code, name, name_en
    (
        "city-management",
        "深圳市城市管理和综合执法局",
        "Urban Management and Law Enforcement Bureau",
    ),
    ("transport", "深圳市交通运输局", "Transport Bureau"),
    ("traffic-police", "深圳市公安局交通警察局", "Traffic Police"),
    ("police", "深圳市公安局", "Public Security Bureau"),
    ("housing", "深圳市住房和建设局", "Housing and Construction Bureau"),
    ("planning", "深圳市规划和自然资源局", "Planning and Natural Resources Bureau"),
    ("environment", "深圳市生态环境局", "Ecology and Environment Bureau"),
    ("water", "深圳市水务局", "Water Authority"),
    ("market", "深圳市市场监督管理局", "Market Supervision Administration"),
    ("fire", "深圳市消防救援支队", "Fire and Rescue Brigade"),
    ("emergency", "深圳市应急管理局", "Emergency Management Bureau"),
    ("civil-affairs", "深圳市民政局", "Civil Affairs Bureau"),
    ("health", "深圳市卫生健康委员会", "Health Commission"),
    ("justice", "深圳市司法局", "Justice Bureau (mediation)"),
    ("education", "深圳市教育局", "Education Bureau"),
    ("power", "深圳供电局", "Shenzhen Power Supply"),
    ("gas", "深圳市燃气集团", "Shenzhen Gas"),
    ("telecom", "深圳市通信管线协调办公室", "Telecom Lines Coordination Office"),
]

DISTRICTS = {
    "440303": "罗湖区",
    "440304": "福田区",
    "440305": "南山区",
    "440306": "宝安区",
    "440307": "龙岗区",
    "440308": "盐田区",
    "440309": "龙华区",
    "440310": "坪山区",
    "440311": "光明区",
}

COMPONENT_CLASSES = {
    ("01", "市政公用设施"): [
        ("001", "上水井盖", "Water supply manhole cover"),
        ("002", "污水井盖", "Sewer manhole cover"),
        ("003", "雨水井盖", "Storm drain cover"),
        ("004", "电力井盖", "Power manhole cover"),
        ("005", "通信井盖", "Telecom manhole cover"),
        ("006", "燃气井盖", "Gas manhole cover"),
        ("007", "路灯", "Street lamp"),
        ("008", "消防栓", "Fire hydrant"),
        ("009", "变压器箱", "Transformer box"),
        ("010", "雨水篦子", "Gully grating"),
    ],
    ("02", "交通设施"): [
        ("001", "停车场", "Car park"),
        ("002", "公交站亭", "Bus shelter"),
        ("003", "过街天桥", "Footbridge"),
        ("004", "地下通道", "Underpass"),
        ("005", "交通信号灯", "Traffic light"),
        ("006", "交通标志牌", "Traffic sign"),
        ("007", "道路护栏", "Road railing"),
        ("008", "隔离墩", "Bollard"),
    ],
    ("03", "市容环卫设施"): [
        ("001", "公共厕所", "Public toilet"),
        ("002", "垃圾箱", "Litter bin"),
        ("003", "垃圾转运站", "Refuse transfer station"),
        ("004", "果皮箱", "Waste basket"),
        ("005", "户外广告牌", "Billboard"),
    ],
    ("04", "园林绿化设施"): [
        ("001", "古树名木", "Heritage tree"),
        ("002", "行道树", "Street tree"),
        ("003", "绿地", "Green space"),
        ("004", "花坛", "Flower bed"),
        ("005", "城市雕塑", "Public sculpture"),
    ],
    ("05", "其他设施"): [
        ("001", "视频监控", "CCTV camera"),
        ("002", "宣传栏", "Notice board"),
        ("003", "报刊亭", "News kiosk"),
        ("004", "健身设施", "Outdoor fitness equipment"),
    ],
}


def upgrade() -> None:
    departments = sa.table(
        "departments",
        sa.column("code"),
        sa.column("name"),
        sa.column("name_en"),
        sa.column("area_code"),
    )
    rows = [
        {"code": c, "name": n, "name_en": e, "area_code": "4403"} for c, n, e in CITY_DEPARTMENTS
    ]
    rows += [
        {
            "code": f"city-management-{code}",
            "name": f"{name}城市管理和综合执法局",
            "name_en": f"Urban Management Bureau, {code}",
            "area_code": code,
        }
        for code, name in DISTRICTS.items()
    ]
    op.bulk_insert(departments, rows)

    classes = sa.table(
        "component_classes",
        sa.column("major"),
        sa.column("minor"),
        sa.column("major_name"),
        sa.column("name"),
        sa.column("name_en"),
    )
    op.bulk_insert(
        classes,
        [
            {"major": major, "minor": minor, "major_name": major_name, "name": name, "name_en": en}
            for (major, major_name), minors in COMPONENT_CLASSES.items()
            for minor, name, en in minors
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM component_classes")
    op.execute("DELETE FROM departments")
