"""Drill-down benchmark (issue 4): ``GET /api/areas/{code}`` and ``/children`` at every
level, city to building list, p95 ≤ 100 ms at scale 1.0.

A fixed random sample of areas per level (seeded) is requested by a supervisor of the
whole city (demo-admin) and by a district supervisor (demo-futian) inside their district,
a few requests at a time, as dashboards do when someone drills down.
"""

from __future__ import annotations

import asyncio
import random
import time

import httpx
from sqlalchemy import create_engine, text

from api.db import sync_url
from bench.city import DEMO_PASSWORD
from bench.harness import Measure, Suite, percentiles
from bench.server import server, token

LEVELS = ("city", "district", "street", "community", "grid")
PER_LEVEL = 40


def sample_areas(url: str, per_level: int = PER_LEVEL, seed: int = 4) -> dict[str, list[str]]:
    """Up to ``per_level`` area codes of each level (福田 only for the district user)."""
    engine = create_engine(sync_url(url))
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT level, code FROM areas WHERE retired_at IS NULL ORDER BY code")
        ).all()
    engine.dispose()
    rng = random.Random(seed)
    by_level: dict[str, list[str]] = {level: [] for level in LEVELS}
    for level, code in rows:
        by_level[level].append(code)
    return {
        level: rng.sample(codes, min(per_level, len(codes))) for level, codes in by_level.items()
    }


async def measure(
    base: str, headers: dict, codes: list[str], concurrency: int
) -> dict[str, list[float]]:
    """Latencies of the area and of its children, each code once per endpoint."""
    gate = asyncio.Semaphore(concurrency)
    samples: dict[str, list[float]] = {"area": [], "children": []}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:

        async def one(path: str, kind: str) -> None:
            async with gate:
                start = time.perf_counter()
                response = await client.get(path)
                samples[kind].append(time.perf_counter() - start)
                response.raise_for_status()

        await asyncio.gather(
            *[one(f"/api/areas/{code}", "area") for code in codes],
            *[one(f"/api/areas/{code}/children", "children") for code in codes],
        )
    return samples


def run_areas_benchmark(url: str, *, rounds: int = 3, concurrency: int = 4) -> Suite:
    suite = Suite("areas")
    sample = sample_areas(url)
    futian = {
        level: [c for c in codes if c.startswith("440304")]
        for level, codes in sample.items()
        if level != "city"
    }
    suite.context = {
        "areas_per_level": {k: len(v) for k, v in sample.items()},
        "rounds": rounds,
        "concurrency": concurrency,
    }
    everything: list[float] = []
    with server(url, workers=2) as base:
        users = {"demo-admin": sample, "demo-futian": futian}
        for username, levels in users.items():
            headers = token(base, username, DEMO_PASSWORD)
            first = [codes[0] for codes in levels.values() if codes]  # warm the pool up
            asyncio.run(measure(base, headers, first, concurrency))
            for level, codes in levels.items():
                if not codes:
                    continue
                area: list[float] = []
                children: list[float] = []
                for _ in range(rounds):
                    got = asyncio.run(measure(base, headers, codes, concurrency))
                    area += got["area"]
                    children += got["children"]
                everything += area + children
                a, c = percentiles(area), percentiles(children)
                suite.add(
                    f"  {username} {level}: area p95",
                    a["p95"],
                    "ms",
                    note=f"p50 {a['p50']:.1f}, {len(codes)} areas",
                )
                suite.add(
                    f"  {username} {level}: children p95",
                    c["p95"],
                    "ms",
                    note=f"p50 {c['p50']:.1f}",
                )
    overall = percentiles(everything)
    headline = Measure(
        "GET /api/areas/{code} and /children p95 (all levels)",
        round(overall["p95"], 3),
        "ms",
        target="≤ 100",
        ok=overall["p95"] <= 100,
        note=f"{len(everything)} requests, {concurrency} concurrent, p50 {overall['p50']:.1f} ms",
    )
    suite.measures.insert(0, headline)
    return suite
