"""``blockgrid bench``: the benchmark harness (tables printed, JSON under bench/results/)."""

from __future__ import annotations

from pathlib import Path

import typer

from api.settings import get_settings
from cli.common import ready_database

app = typer.Typer(help="Benchmarks: speed and memory targets, measured.", no_args_is_help=True)

SCALE_HELP = "demo-city scale of the benchmark database"


def _city(scale: float, seed: int, reload: bool = False) -> tuple[str, dict | None]:
    from bench.city import ensure_city

    settings = get_settings()
    return ensure_city(
        ready_database(settings),
        scale=scale,
        seed=seed,
        workdir=settings.var_dir / "bench",
        reload=reload,
    )


@app.command()
def demo(
    scales: list[float] = typer.Option([0.05, 1.0], "--scale", help="scales to load"),
    seed: int = 20111,
) -> None:
    """Generation time and the generator's peak memory per scale (targets at 1.0:
    ≤ 20 min, ≤ 6 GB)."""
    from bench.harness import Suite

    suite = Suite("demo")
    for scale in scales:
        _, figures = _city(scale, seed, reload=True)
        assert figures is not None
        minutes = figures["seconds"] / 60
        rss_gb = (figures["peak_rss_mb"] + figures.get("peak_rss_workers_mb", 0)) / 1024
        big = scale >= 1.0
        suite.add(
            f"generation time, scale {scale}",
            minutes,
            "min",
            target="≤ 20" if big else "",
            ok=minutes <= 20 if big else None,
        )
        suite.add(
            f"peak RSS (main + largest worker), scale {scale}",
            rss_gb,
            "GB",
            target="≤ 6" if big else "",
            ok=rss_gb <= 6 if big else None,
            note=f"main {figures['peak_rss_mb']:.0f} MB",
        )
        suite.context[str(scale)] = figures.get("summary")
    suite.report()


@app.command()
def events(
    scale: float = typer.Option(1.0, help=SCALE_HELP),
    seed: int = 20111,
    seconds: float = 30,
    rate: float = 50,
) -> None:
    """Event list p95 and sustained concurrent workflow steps."""
    from bench.events_bench import run_events_benchmark

    url, _ = _city(scale, seed)
    run_events_benchmark(url, seconds=seconds, rate=rate).report()


@app.command("import")
def import_(
    count: int = 300_000, scale: float = typer.Option(0.05, help=SCALE_HELP), seed: int = 20111
) -> None:
    """ogr2ogr vs blockgrid import of the same GeoPackage (target ≥ 1.0×)."""
    from bench.import_bench import import_suite, run_import_benchmark

    url, _ = _city(scale, seed)
    result = run_import_benchmark(
        url, count=count, workdir=get_settings().var_dir / "bench" / "import"
    )
    import_suite(result).report()


@app.command()
def tiles(
    scale: float = typer.Option(0.25, help=SCALE_HELP),
    seed: int = 20111,
    count: int = 240,
    seconds: float = 20,
    concurrency: int = 8,
) -> None:
    """Tile throughput: SQL floor, cold, warm and tipg, with one load generator."""
    from bench.tiles_bench import run_tiles_benchmark

    url, _ = _city(scale, seed)
    run_tiles_benchmark(
        url,
        count=count,
        seconds=seconds,
        concurrency=concurrency,
        workdir=Path(get_settings().var_dir / "bench" / "tiles"),
    ).report()


@app.command()
def areas(scale: float = typer.Option(1.0, help=SCALE_HELP), seed: int = 20111) -> None:
    """Drill-down statistics: /api/areas/{code} and /children at every level."""
    from bench.areas_bench import run_areas_benchmark

    url, _ = _city(scale, seed)
    run_areas_benchmark(url).report()


@app.command()
def hotspots(scale: float = typer.Option(1.0, help=SCALE_HELP), seed: int = 20111) -> None:
    """Gi* over every grid, H3 aggregation, cached hotspot queries."""
    from bench.hotspots_bench import run_hotspots_benchmark

    url, _ = _city(scale, seed)
    run_hotspots_benchmark(url).report()


@app.command("all")
def all_(seed: int = 20111) -> None:
    """Every benchmark (loads the scale-1.0 city once: expect about an hour)."""
    demo(scales=[0.05, 1.0], seed=seed)
    import_(count=300_000, scale=0.05, seed=seed)
    tiles(scale=0.25, seed=seed, count=240, seconds=20, concurrency=8)
    areas(scale=1.0, seed=seed)
    events(scale=1.0, seed=seed, seconds=30, rate=50)
    hotspots(scale=1.0, seed=seed)
