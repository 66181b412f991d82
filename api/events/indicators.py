"""Evaluation indicators (综合评价) exactly as SPEC §2.4 defines them.

For an area (code prefix), optionally a department, and a period [start, end):

- 立案数: accept steps in the period; 按时立案数: of those, taken by the acceptance deadline
- 派遣数: dispatch steps; 退回数: return steps; 返工数: verify_fail steps
- 应结案数: events whose closing deadline (due_at) falls in the period, not rejected
- 结案数 / 按期结案数: of those, closed / closed by the deadline; 缓办数: of those, postponed
- 结案率 = 结案数 ÷ (应结案数 − 缓办数)
- 按期结案率 = 按期结案数 ÷ (应结案数 − 缓办数)
- 返工率 = 返工数 ÷ 派遣数
- 按时立案率 = 按时立案数 ÷ 立案数
- 准确派遣率 = (派遣数 − 退回数) ÷ 派遣数
- mean handling time: hours from dispatch to close, over events closed in the period
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)  # the records a city can hold

_STEP_COUNTS = text("""
    SELECT a.department_id AS department_id, grouping(a.department_id) = 1 AS is_total,
           count(*) FILTER (WHERE a.action = 'accept') AS filed,
           count(*) FILTER (WHERE a.action = 'accept' AND a.at <= a.stage_due_at) AS filed_on_time,
           count(*) FILTER (WHERE a.action = 'dispatch') AS dispatched,
           count(*) FILTER (WHERE a.action = 'return') AS returned,
           count(*) FILTER (WHERE a.action = 'verify_fail') AS reworked
    FROM event_actions a JOIN events e ON e.id = a.event_id
    WHERE a.at >= :start AND a.at < :end
      AND e.grid_code >= :area AND e.grid_code < :area || ':'
      AND (CAST(:department AS integer) IS NULL OR a.department_id = :department)
    GROUP BY ROLLUP (a.department_id)""")

_CLOSING = text("""
    SELECT e.department_id AS department_id, grouping(e.department_id) = 1 AS is_total,
           count(*) AS due,
           count(*) FILTER (WHERE e.status = 'closed') AS closed,
           count(*) FILTER (WHERE e.status = 'closed' AND e.closed_at <= e.due_at)
             AS closed_on_time,
           count(*) FILTER (WHERE e.status = 'postponed') AS postponed
    FROM events e
    WHERE e.due_at >= :start AND e.due_at < :end AND e.status <> 'rejected'
      AND e.grid_code >= :area AND e.grid_code < :area || ':'
      AND (CAST(:department AS integer) IS NULL OR e.department_id = :department)
    GROUP BY ROLLUP (e.department_id)""")

_HANDLING = text("""
    SELECT e.department_id AS department_id, grouping(e.department_id) = 1 AS is_total,
           count(*) AS closed_in_period,
           avg(extract(epoch FROM e.closed_at - e.dispatched_at)) / 3600 AS mean_hours
    FROM events e
    WHERE e.closed_at >= :start AND e.closed_at < :end AND e.status = 'closed'
      AND e.dispatched_at IS NOT NULL
      AND e.grid_code >= :area AND e.grid_code < :area || ':'
      AND (CAST(:department AS integer) IS NULL OR e.department_id = :department)
    GROUP BY ROLLUP (e.department_id)""")


@dataclass
class Indicators:
    """Counts and rates of one area (and department) over one period."""

    filed: int = 0
    filed_on_time: int = 0
    dispatched: int = 0
    returned: int = 0
    reworked: int = 0
    due: int = 0
    closed: int = 0
    closed_on_time: int = 0
    postponed: int = 0
    closed_in_period: int = 0
    mean_handling_hours: float | None = None

    @property
    def rates(self) -> dict[str, float | None]:
        def ratio(numerator: int, denominator: int) -> float | None:
            return round(numerator / denominator, 4) if denominator > 0 else None

        expected = self.due - self.postponed
        return {
            "closure_rate": ratio(self.closed, expected),  # 结案率
            "on_time_closure_rate": ratio(self.closed_on_time, expected),  # 按期结案率
            "rework_rate": ratio(self.reworked, self.dispatched),  # 返工率
            "on_time_filing_rate": ratio(self.filed_on_time, self.filed),  # 按时立案率
            "accurate_dispatch_rate": ratio(
                self.dispatched - self.returned,  # 准确派遣率
                self.dispatched,
            ),
        }

    def as_dict(self) -> dict:
        return {
            "counts": {k: v for k, v in asdict(self).items() if k != "mean_handling_hours"},
            "rates": self.rates,
            "mean_handling_hours": self.mean_handling_hours,
        }


async def compute(
    session: AsyncSession,
    *,
    area: str,
    start: datetime,
    end: datetime,
    department_id: int | None = None,
) -> tuple[Indicators, dict[int, Indicators]]:
    """The indicators of the whole selection and of each department in it."""
    params = {"area": area, "start": start, "end": end, "department": department_id}
    total = Indicators()
    by_department: dict[int, Indicators] = {}

    for statement in (_STEP_COUNTS, _CLOSING, _HANDLING):
        for row in (await session.execute(statement, params)).mappings():
            # ROLLUP adds the grand total (is_total); department 0 = not yet dispatched.
            bucket = (
                total
                if row["is_total"]
                else by_department.setdefault(row["department_id"] or 0, Indicators())
            )
            for key, value in row.items():
                if key in ("department_id", "is_total"):
                    continue
                if key == "mean_hours":
                    bucket.mean_handling_hours = round(float(value), 2) if value else None
                else:
                    setattr(bucket, key, int(value))
    return total, by_department
