"""Event categories (事件分类) with default departments, priorities and time limits.

Structure of GB/T 30428: majors 01–05 mirror the component classes (facility faults),
06 市容环境, 07 宣传广告, 08 施工管理, 09 街面秩序, 10 其他 — here including the
social-governance events of 网格化管理 (矛盾纠纷, 安全隐患, 群租, 特殊人群).
Time limits follow common practice: accept and dispatch within 30 min (10 min when
urgent); handling e.g. 暴露垃圾 4 working hours, 道路不洁 2 h, 路灯不亮 1 working day;
verification within 1 h.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAJORS = {
    "01": "市政公用设施", "02": "交通设施", "03": "市容环卫设施", "04": "园林绿化设施",
    "05": "其他设施", "06": "市容环境", "07": "宣传广告", "08": "施工管理", "09": "街面秩序",
    "10": "其他事件",
}
HOUR, DAY = 60, 480  # a working day is 8 working hours

# major, minor, name, name_en, group, department code, priority, handle minutes, working hours
CATEGORIES = [
    ("01", "001", "井盖破损丢失", "Damaged or missing manhole cover", "facility", "water", 1, 4 * HOUR, False),
    ("01", "002", "路灯不亮", "Street lamp out", "facility", "city-management", 2, DAY, True),
    ("01", "003", "消防栓损坏", "Damaged fire hydrant", "facility", "fire", 1, 4 * HOUR, False),
    ("01", "004", "供水管道破裂", "Burst water main", "facility", "water", 1, 2 * HOUR, False),
    ("01", "005", "雨水篦子堵塞", "Blocked gully", "facility", "water", 2, DAY, True),
    ("02", "001", "公交站亭破损", "Damaged bus shelter", "facility", "transport", 3, 3 * DAY, True),
    ("02", "002", "交通信号灯故障", "Traffic light fault", "facility", "traffic-police", 1, 2 * HOUR, False),
    ("02", "003", "交通标志牌损坏", "Damaged traffic sign", "facility", "transport", 2, 2 * DAY, True),
    ("02", "004", "道路护栏损坏", "Damaged road railing", "facility", "transport", 2, 2 * DAY, True),
    ("02", "005", "路面坑洼塌陷", "Pothole or subsidence", "facility", "transport", 1, DAY, True),
    ("03", "001", "公厕设施损坏", "Public toilet out of order", "facility", "city-management", 2, DAY, True),
    ("03", "002", "垃圾箱满溢损坏", "Overflowing or broken bin", "facility", "city-management", 2, 4 * HOUR, True),
    ("03", "003", "垃圾转运站异味", "Transfer station odour", "facility", "city-management", 3, 2 * DAY, True),
    ("04", "001", "树木倒伏", "Fallen tree", "facility", "city-management", 1, 4 * HOUR, False),
    ("04", "002", "绿地毁损", "Damaged green space", "facility", "city-management", 3, 3 * DAY, True),
    ("04", "003", "行道树缺株", "Missing street tree", "facility", "city-management", 3, 5 * DAY, True),
    ("05", "001", "监控设施损坏", "Damaged CCTV camera", "facility", "police", 2, 2 * DAY, True),
    ("05", "002", "宣传栏破损", "Damaged notice board", "facility", "city-management", 3, 3 * DAY, True),
    ("06", "001", "暴露垃圾", "Exposed rubbish", "environment", "city-management", 2, 4 * HOUR, True),
    ("06", "002", "私搭乱建", "Illegal structure", "environment", "planning", 2, 5 * DAY, True),
    ("06", "003", "道路不洁", "Dirty road", "environment", "city-management", 2, 2 * HOUR, False),
    ("06", "004", "积存垃圾渣土", "Accumulated debris", "environment", "city-management", 2, DAY, True),
    ("06", "005", "乱涂乱画", "Graffiti", "environment", "city-management", 3, 2 * DAY, True),
    ("06", "006", "餐饮油烟污染", "Restaurant fumes", "environment", "environment", 2, 3 * DAY, True),
    ("07", "001", "非法小广告", "Illegal flyposting", "advertising", "city-management", 3, DAY, True),
    ("07", "002", "违规户外广告", "Unlicensed billboard", "advertising", "city-management", 3, 5 * DAY, True),
    ("07", "003", "违规横幅标语", "Unlicensed banner", "advertising", "city-management", 3, DAY, True),
    ("08", "001", "施工扰民", "Construction noise", "construction", "housing", 2, DAY, True),
    ("08", "002", "无证建设", "Unpermitted construction", "construction", "planning", 2, 5 * DAY, True),
    ("08", "003", "施工占道", "Works blocking the road", "construction", "transport", 2, DAY, True),
    ("08", "004", "工地扬尘", "Construction dust", "construction", "environment", 2, DAY, True),
    ("08", "005", "渣土车撒漏", "Spilling muck truck", "construction", "city-management", 1, 2 * HOUR, False),
    ("09", "001", "占道经营", "Street vending on the road", "street_order", "city-management", 2, 2 * HOUR, False),
    ("09", "002", "机动车乱停放", "Illegal parking", "street_order", "traffic-police", 2, 2 * HOUR, False),
    ("09", "003", "占用消防通道", "Blocked fire lane", "street_order", "fire", 1, HOUR, False),
    ("09", "004", "店外经营", "Trading outside the shop", "street_order", "city-management", 3, 4 * HOUR, True),
    ("09", "005", "非机动车乱停放", "Bikes parked badly", "street_order", "city-management", 3, 4 * HOUR, True),
    ("09", "006", "流动摊贩", "Hawkers", "street_order", "city-management", 3, 2 * HOUR, False),
    ("10", "001", "矛盾纠纷", "Neighbourhood dispute", "social", "justice", 2, 3 * DAY, True),
    ("10", "002", "安全隐患", "Safety hazard", "safety", "emergency", 1, DAY, True),
    ("10", "003", "群租", "Overcrowded rental", "social", "housing", 2, 5 * DAY, True),
    ("10", "004", "特殊人群服务跟进", "Follow-up of people needing care", "social", "civil-affairs", 2, 3 * DAY, True),
    ("10", "005", "噪声扰民", "Noise nuisance", "social", "environment", 3, DAY, True),
    ("10", "006", "三小场所消防隐患", "Fire risk in small premises", "safety", "fire", 1, DAY, True),
    ("10", "007", "电动车违规充电", "E-bike charging indoors", "safety", "fire", 1, 4 * HOUR, False),
    ("10", "008", "燃气安全隐患", "Gas safety hazard", "safety", "gas", 1, 2 * HOUR, False),
]


def upgrade() -> None:
    departments = dict(op.get_bind().execute(sa.text("SELECT code, id FROM departments")).all())
    table = sa.table(
        "event_categories", sa.column("major"), sa.column("minor"), sa.column("major_name"),
        sa.column("name"), sa.column("name_en"), sa.column("group"),
        sa.column("default_department_id"), sa.column("priority"), sa.column("accept_minutes"),
        sa.column("dispatch_minutes"), sa.column("handle_minutes"), sa.column("verify_minutes"),
        sa.column("working_hours"),
    )
    op.bulk_insert(table, [
        {"major": major, "minor": minor, "major_name": MAJORS[major], "name": name,
         "name_en": name_en, "group": group, "default_department_id": departments[department],
         "priority": priority, "accept_minutes": 10 if priority == 1 else 30,
         "dispatch_minutes": 10 if priority == 1 else 30, "handle_minutes": handle,
         "verify_minutes": 60, "working_hours": working_hours}
        for major, minor, name, name_en, group, department, priority, handle, working_hours
        in CATEGORIES
    ])


def downgrade() -> None:
    op.execute("DELETE FROM event_categories")
