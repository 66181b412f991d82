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

# The SQL is the owner's function of migration 0019: the server's login role sees only
# what a scope lets it see, and the sweep must see every area. One escalation per stage:
# an overdue case is escalated once after its stage deadline; then every area's overdue
# count is refreshed.
_SWEEP = text("SELECT blockgrid_sweep_overdue(:at, :batch)")


async def sweep(session: AsyncSession, *, at: datetime, batch: int = 5000) -> int:
    """Escalate newly overdue cases and refresh the overdue counts; return how many."""
    return (await session.execute(_SWEEP, {"at": at, "batch": batch})).scalar_one()


async def run_periodically(engine: AsyncEngine, interval: int) -> None:
    """The background loop of the server (its own login role; the function sees all areas)."""
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
