"""Benchmark: ``blockgrid import buildings`` against a plain ``ogr2ogr`` load of the same file.

Writes a GeoPackage of synthetic footprints (small rotated rectangles around random
points inside the basic grids of the city loaded in the database), loads it in turns
with ``ogr2ogr`` (COPY, no validation) and with the blockgrid importer (CRS check,
repair, grid assignment, codes, upsert), three rounds by default, and reports the
median rows per second of each, every round's ratio and their median. Needs a database holding a
city (areas of level ``grid``). Cleans up after itself.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pyogrio
import shapely
from psycopg.conninfo import conninfo_to_dict

from api.buildings.importer import import_buildings_file
from bench.harness import Suite

__all__ = ["BENCH_SOURCE", "OGR_TABLE", "run_import_benchmark", "write_synthetic_footprints"]

BENCH_SOURCE = "bench-import"
OGR_TABLE = "bench_ogr2ogr"
_M_PER_DEGREE = 6_371_008.8 * math.pi / 180.0
_USES = np.array(["住宅", "apartments", "commercial", "office", "厂房", "yes", "school"])

_SAMPLE = """
SELECT ST_AsBinary((ST_Dump(ST_GeneratePoints(geom, %(per_grid)s, %(seed)s))).geom)
FROM areas WHERE level = 'grid' AND retired_at IS NULL ORDER BY code
"""


def write_synthetic_footprints(url: str, path: Path, *, count: int, seed: int = 0) -> int:
    """Write ``count`` rotated rectangles (8–40 m sides) inside the grids to a GeoPackage."""
    with psycopg.connect(url) as connection:
        grids = connection.execute(
            "SELECT count(*) FROM areas WHERE level = 'grid' AND retired_at IS NULL"
        ).fetchone()[0]
        if not grids:
            raise RuntimeError("the database has no basic grids: load the demo city first")
        per_grid = math.ceil(count / grids)
        rows = connection.execute(_SAMPLE, {"per_grid": per_grid, "seed": seed + 1}).fetchall()
    rng = np.random.default_rng(seed)
    centres = shapely.from_wkb([row[0] for row in rows])
    centres = centres[rng.permutation(len(centres))[:count]]
    n = len(centres)
    x, y = shapely.get_x(centres), shapely.get_y(centres)
    width, depth = rng.uniform(8, 40, n), rng.uniform(8, 30, n)
    angle = rng.uniform(0, math.pi, n)
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5]])
    dx = corners[None, :, 0] * width[:, None]
    dy = corners[None, :, 1] * depth[:, None]
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    lon = x[:, None] + (dx * cos - dy * sin) / (_M_PER_DEGREE * np.cos(np.radians(y))[:, None])
    lat = y[:, None] + (dx * sin + dy * cos) / _M_PER_DEGREE
    rings = np.stack([lon, lat], axis=2)
    polygons = shapely.polygons(shapely.linearrings(rings))
    frame = pd.DataFrame(
        {
            "floors": rng.integers(1, 34, n).astype(np.int32),
            "use": _USES[rng.integers(0, len(_USES), n)],
            "name": np.char.add("楼", np.arange(n).astype(str)),
        }
    )
    pyogrio.write_dataframe(_geodataframe(frame, polygons), path, layer="buildings", driver="GPKG")
    return n


def _geodataframe(frame: pd.DataFrame, geometry: np.ndarray):
    import geopandas

    return geopandas.GeoDataFrame(frame, geometry=geopandas.GeoSeries(geometry, crs=4326))


def _ogr2ogr(url: str, path: Path) -> float:
    """Load ``path`` with ogr2ogr (COPY, GiST index); return the seconds taken."""
    binary = shutil.which("ogr2ogr")
    if binary is None:
        raise RuntimeError("ogr2ogr is missing: install gdal-bin (scripts/install-system-deps.sh)")
    parts = conninfo_to_dict(url)
    target = " ".join(
        f"{key}={parts[name]}"
        for key, name in (
            ("host", "host"),
            ("port", "port"),
            ("dbname", "dbname"),
            ("user", "user"),
        )
        if parts.get(name)
    )
    env = {**os.environ, "PGPASSWORD": str(parts.get("password") or "")}
    started = time.perf_counter()
    subprocess.run(
        [
            binary,
            "-f",
            "PostgreSQL",
            f"PG:{target}",
            str(path),
            "-nln",
            OGR_TABLE,
            "-lco",
            "GEOMETRY_NAME=geom",
            "-lco",
            "SPATIAL_INDEX=GIST",
            "--config",
            "PG_USE_COPY",
            "YES",
            "-gt",
            "65536",
            "-overwrite",
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    return time.perf_counter() - started


def _clean(url: str) -> None:
    """Drop what a run loaded; VACUUM so that the next run does not scan (and rebuild
    indexes over) the dead rows of the previous one."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP TABLE IF EXISTS {OGR_TABLE}")
        connection.execute("DELETE FROM buildings WHERE source = %s", (BENCH_SOURCE,))
        connection.execute("VACUUM buildings")


def run_import_benchmark(
    url: str, *, count: int = 300_000, workdir: Path, seed: int = 0, repeats: int = 3
) -> dict:
    """Time ogr2ogr and the blockgrid importer on ``count`` synthetic footprints.

    The two loaders take turns, ``repeats`` times each (ogr2ogr first in every round):
    the machines this runs on vary by ±20 % from one second to the next, so a single
    pair of runs can land on either side of the target, and their speed drifts between
    rounds. Each round gives a ratio of two runs seconds apart; ``ratio`` (blockgrid ÷
    ogr2ogr rows/s, target ≥ 0.9) is the median of those ratios (the lower one for an
    even count). Also returns rows, the median seconds and rows/s of each loader,
    ``rounds`` (every pair of times and its ratio) and ``blockgrid_steps``, the
    loader's seconds per step in its median run. The blockgrid import runs without the
    ``area_stats`` refresh that the CLI adds, so both load the same thing.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "bench_footprints.gpkg"
    path.unlink(missing_ok=True)
    _clean(url)
    rows = write_synthetic_footprints(url, path, count=count, seed=seed)
    rounds = []
    try:
        for _ in range(max(1, repeats)):
            ogr_seconds = _ogr2ogr(url, path)
            _clean(url)
            outcome = import_buildings_file(url, path, source=BENCH_SOURCE, refresh_stats=False)
            _clean(url)
            rounds.append((ogr_seconds, outcome))
    finally:
        _clean(url)
    ogr_seconds = statistics.median_low(ogr for ogr, _ in rounds)
    median = sorted(rounds, key=lambda pair: pair[1].seconds)[(len(rounds) - 1) // 2][1]
    ogr_rate, ours_rate = rows / ogr_seconds, rows / median.seconds
    ratios = [ogr / outcome.seconds for ogr, outcome in rounds]
    return {
        "rows": rows,
        "ogr2ogr_seconds": round(ogr_seconds, 2),
        "ogr2ogr_rows_per_s": round(ogr_rate),
        "blockgrid_seconds": round(median.seconds, 2),
        "blockgrid_rows_per_s": round(ours_rate),
        "blockgrid_inserted": median.inserted,
        "blockgrid_rejected": median.rejected,
        "ratio": round(statistics.median_low(ratios), 2),
        "rounds": [
            {
                "ogr2ogr_seconds": round(ogr, 2),
                "blockgrid_seconds": round(outcome.seconds, 2),
                "ratio": round(ogr / outcome.seconds, 2),
            }
            for ogr, outcome in rounds
        ],
        "blockgrid_steps": median.steps,
    }


def import_suite(result: dict) -> Suite:
    """The benchmark's figures as a harness suite (printed and saved by the caller)."""
    suite = Suite("import")
    suite.context = result
    rounds = result.get("rounds", [])
    suite.add(
        "ogr2ogr -f PostgreSQL",
        result["ogr2ogr_rows_per_s"],
        "rows/s",
        note=f"median {result['ogr2ogr_seconds']:.2f} s, plain COPY, no validation",
    )
    suite.add(
        "blockgrid import",
        result["blockgrid_rows_per_s"],
        "rows/s",
        note=f"median {result['blockgrid_seconds']:.2f} s: validated, grids, codes",
    )
    suite.add(
        "blockgrid ÷ ogr2ogr",
        result["ratio"],
        "×",
        target="≥ 0.9",
        ok=result["ratio"] >= 0.9,
        note=f"{result['rows']:,} footprints (GeoPackage), median of {len(rounds)} rounds",
    )
    for number, pair in enumerate(rounds, 1):
        suite.add(
            f"round {number}: blockgrid ÷ ogr2ogr",
            pair["ratio"],
            "×",
            note=f"{pair['blockgrid_seconds']:.2f} s against {pair['ogr2ogr_seconds']:.2f} s",
        )
    for step, seconds in result.get("blockgrid_steps", {}).items():
        suite.add(f"blockgrid step: {step}", seconds, "s")
    return suite
