"""Overdue detection (超期) and automatic escalation (自动督办), plus the overdue rollups."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.errors import is_connection_failure
from api.events.calendar import now

log = logging.getLogger("blockgrid.sweeper")

# One escalation per stage: an overdue case is escalated once after its stage deadline.
_ESCALATE = text("""
    WITH due AS (
      SELECT e.id, e.status, e.version FROM events e
      WHERE e.status IN ('reported', 'accepted', 'dispatched', 'handling', 'handled', 'verified')
        AND e.stage_due_at < :at
        AND NOT EXISTS (SELECT 1 FROM event_actions a WHERE a.event_id = e.id
                        AND a.action = 'escalate' AND a.at >= e.stage_due_at)
      ORDER BY e.stage_due_at LIMIT :batch FOR UPDATE SKIP LOCKED
    ), bumped AS (
      UPDATE events e SET escalation_level = e.escalation_level + 1, version = e.version + 1
      FROM due WHERE e.id = due.id RETURNING e.id, e.status, e.stage_due_at
    )
    INSERT INTO event_actions (event_id, action, from_status, to_status, actor_role, note, at,
                               stage_due_at)
    SELECT id, 'escalate', status, status, 'system', '超期自动督办', :at, stage_due_at FROM bumped
    RETURNING event_id""")

_OVERDUE_ROLLUP = text("""
    WITH per_grid AS (
      SELECT grid_code, count(*) AS overdue FROM events
      WHERE status IN ('reported', 'accepted', 'dispatched', 'handling', 'handled', 'verified')
        AND stage_due_at < :at
      GROUP BY grid_code
    ), per_area AS (
      SELECT left(grid_code, n) AS area_code, sum(overdue) AS overdue
      FROM per_grid, unnest(ARRAY[4, 6, 9, 12, 14]) AS n GROUP BY 1
    )
    UPDATE area_stats s SET events_overdue = coalesce(p.overdue, 0)
    FROM area_stats s2 LEFT JOIN per_area p ON p.area_code = s2.area_code
    WHERE s.area_code = s2.area_code
      AND s.events_overdue IS DISTINCT FROM coalesce(p.overdue, 0)""")


async def sweep(session: AsyncSession, *, at: datetime, batch: int = 5000) -> int:
    """Escalate newly overdue cases and refresh the overdue counts; return how many."""
    escalated = len((await session.execute(_ESCALATE, {"at": at, "batch": batch})).all())
    await session.execute(_OVERDUE_ROLLUP, {"at": at})
    return escalated


async def run_periodically(engine: AsyncEngine, interval: int) -> None:
    """The background loop of the server (owner connection, not area-scoped)."""
    while True:
        await asyncio.sleep(interval)
        try:
            async with AsyncSession(engine) as session, session.begin():
                count = await sweep(session, at=now())
            if count:
                log.info("escalated %d overdue events", count)
        except Exception as exc:
            if not is_connection_failure(exc):
                log.exception("overdue sweep failed")
