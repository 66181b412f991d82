"""ogr2ogr copies every OGC collection of the demo city with default options, at full pages.

The pages are counted where the server records them: every items response writes an
``ogc.export`` audit row with the limit, offset and number of features it returned.
ogr2ogr is required: a missing binary fails the test (Debian: ``apt install gdal-bin``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from api.db import sync_url
from api.maps.layers import OGC_LAYERS
from api.ogc.params import MAX_LIMIT
from tests.conftest import DEMO_PASSWORD

ENV = os.environ | {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


def demo_token(base: str) -> str:
    response = httpx.post(
        f"{base}/auth/token",
        data={"username": "demo-admin", "password": DEMO_PASSWORD},
        trust_env=False,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def number_matched(base: str, token: str, collection: str) -> int:
    response = httpx.get(
        f"{base}/ogc/collections/{collection}/items",
        params={"limit": 1},
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
    )
    assert response.status_code == 200, response.text
    return response.json()["numberMatched"]


def export_pages(database_url: str, since: str) -> dict[str, list[tuple[int, int, int]]]:
    """(limit, offset, returned) of each items request per collection, in order."""
    engine = create_engine(sync_url(database_url))
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT object_id, (details->>'limit')::int, (details->>'offset')::int,"
                " (details->>'returned')::int FROM audit_log"
                " WHERE action = 'ogc.export' AND username = 'demo-admin'"
                " AND at >= CAST(:since AS timestamptz)"
                " ORDER BY id"
            ),
            {"since": since},
        ).all()
    engine.dispose()
    pages: dict[str, list[tuple[int, int, int]]] = {}
    for collection, limit, offset, returned in rows:
        pages.setdefault(collection, []).append((limit, offset, returned))
    return pages


def test_ogr2ogr_copies_every_collection_at_full_pages(demo_server, demo_city_url, tmp_path: Path):
    binary = shutil.which("ogr2ogr")
    if binary is None:
        pytest.fail("ogr2ogr is not installed: install GDAL (Debian: apt install gdal-bin)")
    token = demo_token(demo_server)
    matched = {name: number_matched(demo_server, token, name) for name in OGC_LAYERS}
    assert matched["buildings"] > MAX_LIMIT + 10, matched  # enough for two full-size pages
    engine = create_engine(sync_url(demo_city_url))
    with engine.connect() as connection:
        since = connection.scalar(text("SELECT now()::text"))
    engine.dispose()

    target = tmp_path / "copy.gpkg"
    started = time.monotonic()
    result = subprocess.run(
        [
            binary,
            "-f",
            "GPKG",
            str(target),
            "--config",
            "GDAL_HTTP_HEADERS",
            f"Authorization: Bearer {token}",
            f"OAPIF:{demo_server}/ogc",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=ENV,
        check=False,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, f"ogr2ogr failed:\n{result.stdout}\n{result.stderr}"

    info = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    copied = {
        name: int(count)
        for name, count in re.findall(
            r"^Layer name: (\w+)\n(?:.*\n)*?Feature Count: (\d+)", info, re.M
        )
    }
    non_empty = {name: n for name, n in matched.items() if n > 0}
    assert {name: copied.get(name, 0) for name in non_empty} == non_empty

    pages = export_pages(demo_city_url, since)
    for name, total in non_empty.items():
        requests = pages[name]
        # GDAL < 3.8 asks limit=10 twice (its schema sample, then the first page); from there
        # it follows the next links, which ask for full pages
        data = [page for page in requests if page[1] > 0 or page[0] == MAX_LIMIT]
        assert all(limit == MAX_LIMIT for limit, _, _ in data), (name, requests)
        assert all(returned == MAX_LIMIT for _, _, returned in data[:-1]), (name, requests)
        assert (
            sum(returned for _, offset, returned in requests if offset > 0)
            + min(total, requests[0][0])
            == total
        ), (name, requests)
    print(  # the figures for the issue: pytest -s shows them
        f"\nogr2ogr of {len(non_empty)} collections, {sum(non_empty.values())} features:"
        f" {seconds:.1f} s, {sum(len(p) for p in pages.values())} items requests;"
        f" {total_line(pages)}"
    )


def total_line(pages: dict[str, list[tuple[int, int, int]]]) -> str:
    return ", ".join(
        f"{name} {[returned for _, _, returned in requests]}" for name, requests in pages.items()
    )
