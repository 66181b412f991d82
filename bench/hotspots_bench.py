"""Hotspot benchmark (issue 6): Gi* over every grid with 999 permutations (≤ 5 s), H3
resolution-9 aggregation of all events (≤ 3 s), a cached hotspot query (≤ 100 ms)."""

from __future__ import annotations

import asyncio
import time

import httpx
from sqlalchemy import create_engine, text

from api.db import sync_url
from bench.city import DEMO_PASSWORD
from bench.harness import Suite, percentiles
from bench.hotspots_kernels import benchmark_hotspots
from bench.server import server, token
from gis import hexagons
from gis.pgcopy import decode_float8_rows


def h3_aggregation(url: str) -> tuple[int, float, float]:
    """Read every event's point and count them per H3 res-9 cell: (events, read s, count s)."""
    engine = create_engine(sync_url(url))
    start = time.perf_counter()
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(
                "COPY (SELECT ST_X(geom), ST_Y(geom) FROM events) TO STDOUT (FORMAT BINARY)"
            ) as copy,
        ):
            points = decode_float8_rows(b"".join(bytes(block) for block in copy), 2)
    read = time.perf_counter() - start
    engine.dispose()
    start = time.perf_counter()
    cells, counts = hexagons.count_points_per_cell(points[:, 0], points[:, 1], 9)
    counting = time.perf_counter() - start
    assert counts.sum() == len(points) and len(cells) > 0
    return len(points), read, counting


async def api_timings(base: str, headers: dict) -> tuple[float, list[float]]:
    """The first (computing) request for every grid of the city, then cached requests."""
    params = {"unit": "grid", "window": 30, "limit": 200}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=600) as client:
        start = time.perf_counter()
        first = await client.get("/api/hotspots", params=params)
        first.raise_for_status()
        cold = time.perf_counter() - start
        samples = []
        for _ in range(50):
            start = time.perf_counter()
            (await client.get("/api/hotspots", params=params)).raise_for_status()
            samples.append(time.perf_counter() - start)
    return cold, samples


def forget_cached_runs(url: str) -> None:
    engine = create_engine(sync_url(url))
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM hotspot_runs"))
    engine.dispose()


def run_hotspots_benchmark(url: str) -> Suite:
    suite = Suite("hotspots")
    synthetic = benchmark_hotspots()
    suite.context["synthetic"] = synthetic
    events, read, counting = h3_aggregation(url)
    forget_cached_runs(url)  # the first request must compute, not find an earlier run
    with server(url, workers=1) as base:
        headers = token(base, "demo-admin", DEMO_PASSWORD)
        cold, cached = asyncio.run(api_timings(base, headers))
    engine = create_engine(sync_url(url))
    with engine.connect() as connection:
        grids = connection.execute(text("SELECT count(*) FROM areas WHERE level = 'grid'")).scalar()
    engine.dispose()
    gi = synthetic["gi_star_units_999_s"]
    suite.add("Gi* on 20,000 synthetic units, 999 permutations", gi, "s", target="≤ 5", ok=gi <= 5)
    suite.add(
        "H3 res-9 aggregation of 3M synthetic points",
        synthetic["h3_res9_aggregation_s"],
        "s",
        target="≤ 3",
        ok=synthetic["h3_res9_aggregation_s"] <= 3,
    )
    suite.add(
        f"hotspots for all {grids:,} grids of the city (API, computed)",
        cold,
        "s",
        target="≤ 5",
        ok=cold <= 5,
        note="read events + weights + Gi* 999 perms + emerging + store",
    )
    suite.add(
        f"H3 res-9 aggregation of {events:,} events",
        counting,
        "s",
        target="≤ 3",
        ok=counting <= 3,
        note=f"plus {read:.2f} s to read the points from PostGIS",
    )
    suite.add(
        "  the same, reading the points from PostGIS first",
        read + counting,
        "s",
        target="≤ 3",
        ok=read + counting <= 3,
        note="binary COPY of 3M (lon, lat)",
    )
    figures = percentiles(cached)
    suite.add(
        "cached hotspot query p95 (HTTP)",
        figures["p95"],
        "ms",
        target="≤ 100",
        ok=figures["p95"] <= 100,
        note=f"p50 {figures['p50']:.1f} ms",
    )
    return suite
