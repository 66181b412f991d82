"""The benchmark harness: measured figures next to their targets, printed and saved as JSON."""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import psutil
from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Measure:
    """One figure: ``value`` in ``unit``, with its target and whether it was met."""

    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None
    note: str = ""


@dataclass
class Suite:
    name: str
    measures: list[Measure] = field(default_factory=list)
    context: dict = field(default_factory=dict)

    def add(
        self,
        name: str,
        value: float,
        unit: str,
        *,
        target: str = "",
        ok: bool | None = None,
        note: str = "",
    ) -> Measure:
        measure = Measure(name, round(float(value), 3), unit, target, ok, note)
        self.measures.append(measure)
        return measure

    def report(self, console: Console | None = None) -> Path:
        """Print the table and save ``bench/results/<suite>-<time>.json``; return the path."""
        console = console or Console()
        table = Table(title=f"blockgrid bench · {self.name}")
        for column in ("measure", "value", "unit", "target", "met", "note"):
            table.add_column(column)
        for m in self.measures:
            met = "" if m.ok is None else ("[green]yes[/]" if m.ok else "[red]no[/]")
            table.add_row(
                m.name, f"{m.value:,.3f}".rstrip("0").rstrip("."), m.unit, m.target, met, m.note
            )
        console.print(table)
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = RESULTS / f"{self.name}-{stamp}.json"
        path.write_text(
            json.dumps(
                {
                    "suite": self.name,
                    "at": stamp,
                    "machine": machine(),
                    "context": self.context,
                    "measures": [asdict(m) for m in self.measures],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        console.print(f"saved {path}")
        return path


def machine() -> dict:
    return {
        "cpus": psutil.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/mean of latencies in seconds, returned in milliseconds."""
    values = np.asarray(samples, dtype=float) * 1000
    if values.size == 0:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "mean": float("nan")}
    return {
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
        "p99": float(np.percentile(values, 99)),
        "mean": float(values.mean()),
    }


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self.start
