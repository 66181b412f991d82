"""GDAL's OAPIF driver reads the collections from a real server, with the caller's scope.

ogrinfo is required: a missing binary fails these tests (Debian: ``apt install gdal-bin``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

# GDAL reads the geometry type from the first features; the mini city has no entities,
# components or events, so those layers are listed without one.
# GDAL names a point layer's geometry type only once it has seen a feature, so the
# geometry type is compared only for the polygon layers, which always have some.
LAYER_LINES = [
    "1: districts (title: 区) (Multi Polygon)",
    "2: streets (title: 街道) (Multi Polygon)",
    "3: communities (title: 社区) (Multi Polygon)",
    "4: grids (title: 基础网格) (Multi Polygon)",
    "5: buildings (title: 楼栋) (Multi Polygon)",
    "6: entities (title: 法人单位)",
    "7: components (title: 城市部件)",
    "8: events (title: 事件)",
]


def without_point_type(line: str) -> str:
    return line.removesuffix(" (Point)")


def ogrinfo(server, token: str, *args: str) -> str:
    binary = shutil.which("ogrinfo")
    if binary is None:
        pytest.fail("ogrinfo is not installed: install GDAL (Debian: apt install gdal-bin)")
    env = os.environ | {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    result = subprocess.run(
        [
            binary,
            "-ro",
            "--config",
            "GDAL_HTTP_HEADERS",
            f"Authorization: Bearer {token}",
            f"OAPIF:{server.base}/ogc",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, f"ogrinfo failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def feature_count(output: str) -> int:
    match = re.search(r"^Feature Count: (\d+)$", output, re.MULTILINE)
    assert match, output
    return int(match.group(1))


def test_ogrinfo_lists_every_collection(live_server):
    output = ogrinfo(live_server, live_server.token("admin"), "-so")
    assert "using driver `OAPIF' successful" in output
    listed = [without_point_type(line) for line in output.splitlines() if re.match(r"\d+: ", line)]
    assert listed == LAYER_LINES


def test_ogrinfo_counts_and_reads_the_grids(live_server):
    token = live_server.token("admin")
    summary = ogrinfo(live_server, token, "-so", "grids")
    assert feature_count(summary) == 4
    assert "Geometry: Multi Polygon" in summary
    # the extent GDAL shows comes from /ogc/collections: the caller's area (深圳市 here)
    assert "Extent: (113.980000, 22.500000) - (114.100000, 22.620000)" in summary
    assert re.search(r"^code: String", summary, re.MULTILINE), summary
    features = ogrinfo(live_server, token, "grids")
    assert len(re.findall(r"^OGRFeature\(grids\):", features, re.MULTILINE)) == 4
    assert "code (String) = 44030400100101" in features
    assert "name (String) = 大新社区第01网格" in features


def test_ogrinfo_pages_through_a_collection(live_server):
    output = ogrinfo(live_server, live_server.token("admin"), "-oo", "PAGE_SIZE=1", "grids")
    assert len(re.findall(r"^OGRFeature\(grids\):", output, re.MULTILINE)) == 4


def test_ogrinfo_sees_only_the_callers_area(live_server):
    token = live_server.token("worker-a")
    assert feature_count(ogrinfo(live_server, token, "-so", "grids")) == 1
    buildings = ogrinfo(live_server, token, "buildings")
    assert re.findall(r"code \(String\) = (\d+)", buildings) == ["4403040010010100001"]


def test_ogrinfo_with_a_spatial_filter_uses_bbox(live_server):
    output = ogrinfo(
        live_server,
        live_server.token("admin"),
        "-spat",
        "114.001",
        "22.531",
        "114.009",
        "22.539",
        "grids",
    )
    assert re.findall(r"code \(String\) = (\d+)", output) == ["44030400100101"]


def test_ogrinfo_without_a_token_is_refused(live_server):
    binary = shutil.which("ogrinfo")
    assert binary, "ogrinfo is not installed"
    result = subprocess.run(
        [binary, "-ro", "-so", f"OAPIF:{live_server.base}/ogc", "grids"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=os.environ | {"NO_PROXY": "127.0.0.1"},
    )
    assert result.returncode != 0
    assert "401" in result.stderr or "failed" in result.stderr.lower(), result.stderr
