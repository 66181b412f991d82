"""A demo city at a given scale in a database of its own, for the benchmarks.

Loading runs in a child process so that its wall time and peak RSS (the generator's
memory) are measured on their own; a loaded database is reused by later runs.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import resource
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from api import migrate
from api.db import async_url, sync_url

DEMO_PASSWORD = "blockgrid-demo"  # noqa: S105 - the published demo password


def database_name(scale: float, seed: int) -> str:
    return f"bench_s{round(scale * 10000):05d}_seed{seed}"


def _load(url: str, scale: float, seed: int, out: str) -> None:
    from api.users.service import ensure_demo_accounts
    from democity.pipeline import load_demo_city

    start = time.perf_counter()
    summary = load_demo_city(url, scale=scale, seed=seed, progress=True)
    seconds = time.perf_counter() - start

    async def accounts() -> None:
        engine = create_async_engine(async_url(url))
        async with AsyncSession(engine) as session, session.begin():
            await ensure_demo_accounts(session, password=DEMO_PASSWORD)
        await engine.dispose()

    asyncio.run(accounts())
    own_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    Path(out).write_text(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mb": own_kb / 1024,
                "peak_rss_workers_mb": workers_kb / 1024,
                "summary": getattr(summary, "as_dict", lambda: str(summary))(),
            }
        )
    )


def ensure_city(
    server_url: str, *, scale: float, seed: int, workdir: Path, reload: bool = False
) -> tuple[str, dict | None]:
    """The URL of a database holding the demo city at ``scale``; loading figures if loaded now."""
    name = database_name(scale, seed)
    admin = create_engine(sync_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar()
        if exists and reload:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = None
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    marker = workdir / f"{name}.loaded.json"
    migrate.upgrade(url)
    if exists and marker.exists():
        return url, None
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / f"{name}.load.json"
    context = multiprocessing.get_context("spawn")
    child = context.Process(target=_load, args=(url, scale, seed, str(out)))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"loading the demo city at scale {scale} failed ({child.exitcode})")
    figures = json.loads(out.read_text())
    marker.write_text(json.dumps(figures))
    return url, figures
