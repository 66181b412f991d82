"""Tile benchmark (issue 4): one fixed tile set, one load generator (wrk), four servers.

(a) the SQL floor: the same tile statements served by a bare ASGI application
(bench/sql_floor_app.py, same uvicorn, same wrk; the statements run without HTTP are
reported too); (b) blockgrid with its tile cache off; (c) blockgrid warm; (d) tipg serving
the same tables from the same database. Targets: cold throughput ≥ 2× tipg, warm ≥ 10×
tipg, cold p95 ≤ 1.5× the SQL floor; no tile over 500 KB.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import create_engine, text

from api.db import sync_url
from api.maps.layers import LAYERS
from bench.city import DEMO_PASSWORD
from bench.harness import Suite, percentiles
from bench.server import free_port, server, token
from gis.tiles import lonlat_to_tile, tile_sql

LAYER_ZOOMS = {"grids": range(12, 17), "events": range(12, 17), "buildings": range(14, 17)}
TIPG_TABLES = {"grids": "bench_grids", "events": "events", "buildings": "buildings"}
MAX_TILE_BYTES = 500 * 1024

WRK_SCRIPT = """
local paths = {}
local index = 0
for line in io.lines(os.getenv("TILE_LIST")) do paths[#paths + 1] = line end
local auth = os.getenv("TILE_AUTH") or ""
request = function()
  index = index % #paths + 1
  local headers = {["Accept-Encoding"] = "gzip"}
  if auth ~= "" then headers["Authorization"] = auth end
  return wrk.format("GET", paths[index], headers)
end
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50": %.3f, "p95": %.3f, "p99": %.3f, '
    .. '"errors": %d, "non2xx": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.errors.status))
end
"""


def densest_district(url: str) -> tuple[str, tuple[float, float, float, float]]:
    engine = create_engine(sync_url(url))
    with engine.connect() as connection:
        code = connection.execute(
            text(
                "SELECT left(grid_code, 6) FROM buildings GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar()
        box = connection.execute(
            text(
                "SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM areas"
                " WHERE code = :c"
            ),
            {"c": code},
        ).one()
        connection.execute(
            text(
                "CREATE OR REPLACE VIEW bench_grids AS SELECT code, short_name, geom_3857"
                " FROM areas WHERE level = 'grid'"
            )
        )
        connection.commit()
    engine.dispose()
    return code, tuple(box)


def tile_set(
    box: tuple[float, float, float, float], count: int, seed: int = 0
) -> list[tuple[str, int, int, int]]:
    """``count`` (layer, z, x, y) inside the box, spread over the layers and zooms."""
    rng = random.Random(seed)
    minx, miny, maxx, maxy = box
    bands = [(layer, z) for layer, zooms in LAYER_ZOOMS.items() for z in zooms]
    per_band = math.ceil(count / len(bands))
    tiles: list[tuple[str, int, int, int]] = []
    for layer, z in bands:
        x0, y1 = lonlat_to_tile(minx, miny, z)
        x1, y0 = lonlat_to_tile(maxx, maxy, z)
        cells = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        rng.shuffle(cells)
        tiles += [(layer, z, x, y) for x, y in cells[:per_band]]
    return tiles


async def sql_floor(
    url: str, tiles: list[tuple[str, int, int, int]], *, seconds: float, concurrency: int
) -> dict:
    """The tile statements run directly, round-robin, on ``concurrency`` connections."""
    statements = {(layer, z): tile_sql(LAYERS[layer].spec, z) for layer, z, _, _ in tiles}
    pool = await asyncpg.create_pool(url, min_size=concurrency, max_size=concurrency)
    latencies: list[float] = []
    position = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal position
        async with pool.acquire() as connection:
            while time.perf_counter() < deadline:
                layer, z, x, y = tiles[position % len(tiles)]
                position += 1
                start = time.perf_counter()
                await connection.fetchval(statements[(layer, z)], z, x, y)
                latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(concurrency)])
    elapsed = time.perf_counter() - started
    await pool.close()
    return {"rps": len(latencies) / elapsed, **percentiles(latencies)}


def wrk(
    base: str, paths: list[str], auth: str, *, seconds: float, concurrency: int, workdir: Path
) -> dict:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (make bench does this)")
    workdir.mkdir(parents=True, exist_ok=True)
    listing = workdir / "tiles.txt"
    listing.write_text("\n".join(paths) + "\n")
    script = workdir / "tiles.lua"
    script.write_text(WRK_SCRIPT)
    result = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(concurrency),
            "-d",
            f"{int(seconds)}s",
            "--timeout",  # slow tiles are waited for and counted, not dropped as errors
            "30s",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"TILE_LIST": str(listing), "TILE_AUTH": auth},
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def tile_sizes(base: str, paths: list[str], headers: dict) -> list[int]:
    """Uncompressed sizes of every tile (also warms the cache)."""
    sizes = []
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        for path in paths:
            response = client.get(path, headers={"Accept-Encoding": "gzip"})
            response.raise_for_status()
            body = response.content
            sizes.append(len(gzip.decompress(body)) if body[:2] == b"\x1f\x8b" else len(body))
    return sizes


def tipg_python(workdir: Path) -> Path:
    """A virtualenv of its own with tipg from PyPI (kept apart from blockgrid's packages)."""
    venv = workdir / "tipg-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "tipg", "uvicorn"], check=True)
    return python


def run_tipg(url: str, workdir: Path) -> tuple[subprocess.Popen, str]:
    python = tipg_python(workdir)
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": url,
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_MAX_FEATURES_PER_TILE": "100000",
    }
    process = subprocess.Popen(
        [
            str(python),
            "-m",
            "uvicorn",
            "tipg.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/collections", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError("tipg did not start")


def tipg_paths(tiles: list[tuple[str, int, int, int]]) -> list[str]:
    geometry = {"grids": "geom_3857", "events": "geom_3857", "buildings": "footprint"}
    return [
        f"/collections/public.{TIPG_TABLES[layer]}/tiles/WebMercatorQuad/{z}/{x}/{y}"
        f"?geom-column={geometry[layer]}"
        for layer, z, x, y in tiles
    ]


def run_tiles_benchmark(
    url: str, *, count: int, seconds: float, concurrency: int, workdir: Path
) -> Suite:
    suite = Suite("tiles")
    district, box = densest_district(url)
    tiles = tile_set(box, count)
    paths = [f"/tiles/{layer}/{z}/{x}/{y}.mvt" for layer, z, x, y in tiles]
    suite.context = {
        "district": district,
        "tiles": len(tiles),
        "concurrency": concurrency,
        "seconds": seconds,
        "layers": {k: list(v) for k, v in LAYER_ZOOMS.items()},
        "load_generator": "wrk -t 2",
    }
    with server(
        url, workers=2, application="bench.sql_floor_app:app", ready_path="/tiles/grids/0/0/0.mvt"
    ) as base:
        floor = wrk(base, paths, "", seconds=seconds, concurrency=concurrency, workdir=workdir)
    direct = asyncio.run(sql_floor(url, tiles, seconds=seconds, concurrency=concurrency))
    with server(url, workers=2, env={"BLOCKGRID_TILE_CACHE_MB": "0"}) as base:
        auth = token(base, "demo-admin", DEMO_PASSWORD)
        cold = wrk(
            base,
            paths,
            auth["Authorization"],
            seconds=seconds,
            concurrency=concurrency,
            workdir=workdir,
        )
    with server(url, workers=2) as base:
        auth = token(base, "demo-admin", DEMO_PASSWORD)
        sizes = tile_sizes(base, paths, auth)
        tile_sizes(base, paths, auth)  # each worker process has its own cache
        warm = wrk(
            base,
            paths,
            auth["Authorization"],
            seconds=seconds,
            concurrency=concurrency,
            workdir=workdir,
        )
    process, tipg_base = run_tipg(url, workdir)
    try:
        tipg = wrk(
            tipg_base,
            tipg_paths(tiles),
            "",
            seconds=seconds,
            concurrency=concurrency,
            workdir=workdir,
        )
    finally:
        process.terminate()
        process.wait(timeout=15)
    suite.add(
        "SQL floor throughput (HTTP, bench/sql_floor_app.py)",
        floor["rps"],
        "tiles/s",
        note=f"p95 {floor['p95']:.1f} ms, non-2xx {floor['non2xx']}, errors {floor['errors']}",
    )
    suite.add(
        "  the same statements without HTTP (asyncpg)",
        direct["rps"],
        "tiles/s",
        note=f"p95 {direct['p95']:.1f} ms",
    )
    suite.add(
        "blockgrid cold throughput",
        cold["rps"],
        "tiles/s",
        note=f"p95 {cold['p95']:.1f} ms, non-2xx {cold['non2xx']}, errors {cold['errors']}",
    )
    suite.add(
        "blockgrid warm throughput",
        warm["rps"],
        "tiles/s",
        note=f"p95 {warm['p95']:.1f} ms, errors {warm['errors']}",
    )
    if tipg["non2xx"]:
        raise RuntimeError(f"tipg answered {tipg['non2xx']} requests with an error status")
    suite.add(
        "tipg throughput",
        tipg["rps"],
        "tiles/s",
        note=f"p95 {tipg['p95']:.1f} ms, non-2xx {tipg['non2xx']}, errors {tipg['errors']}",
    )
    suite.add(
        "cold ÷ tipg",
        cold["rps"] / tipg["rps"],
        "×",
        target="≥ 2",
        ok=cold["rps"] >= 2 * tipg["rps"],
    )
    suite.add(
        "warm ÷ tipg",
        warm["rps"] / tipg["rps"],
        "×",
        target="≥ 10",
        ok=warm["rps"] >= 10 * tipg["rps"],
    )
    suite.add(
        "cold p95 ÷ SQL-floor p95",
        cold["p95"] / floor["p95"],
        "×",
        target="≤ 1.5",
        ok=cold["p95"] <= 1.5 * floor["p95"],
    )
    suite.add(
        "largest tile", max(sizes) / 1024, "KB", target="≤ 500", ok=max(sizes) <= MAX_TILE_BYTES
    )
    return suite
