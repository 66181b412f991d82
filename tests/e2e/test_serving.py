"""How the dashboard is served: page, own modules, npm vendor files, config, missing npm."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from api import frontend
from api.settings import Settings


def dashboard_app(tmp_path: Path, **basemap) -> FastAPI:
    app = FastAPI()
    app.state.settings = Settings(environment="test", var_dir=tmp_path, **basemap)
    frontend.install_frontend(app)
    return app


async def get(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://dashboard") as client:
        return await client.get(path)


async def test_page_modules_and_vendor_files_have_their_types(tmp_path):
    app = dashboard_app(tmp_path)
    page = await get(app, "/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    policy = page.headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in policy and "unsafe-eval" not in policy
    assert '<script type="module" src="/static/main.js">' in page.text

    module = await get(app, "/static/main.js")
    assert module.status_code == 200
    assert module.headers["content-type"] == "text/javascript; charset=utf-8"
    assert module.headers["etag"]

    for path in (
        "/vendor/maplibre-gl/maplibre-gl.mjs",
        "/vendor/maplibre-gl/maplibre-gl-worker.mjs",
        "/vendor/chart.js/chart.js",
        "/vendor/kurkle-color/color.esm.js",
    ):
        vendor = await get(app, path)
        assert vendor.status_code == 200, path
        assert vendor.headers["content-type"] == "text/javascript; charset=utf-8", path
        assert "max-age" in vendor.headers["cache-control"]
    css = await get(app, "/vendor/maplibre-gl/maplibre-gl.css")
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert (await get(app, "/vendor/leaflet/leaflet.js")).status_code == 200


async def test_only_package_dist_folders_are_published(tmp_path):
    app = dashboard_app(tmp_path)
    assert (await get(app, "/vendor/maplibre-gl/../package.json")).status_code == 404
    assert (await get(app, "/vendor/pbf/index.js")).status_code == 404
    assert (await get(app, "/static/../index.html")).status_code == 404


async def test_missing_node_modules_is_a_clear_503(tmp_path, monkeypatch):
    monkeypatch.setattr(frontend, "NODE_MODULES", tmp_path / "node_modules")
    app = dashboard_app(tmp_path)
    for path in ("/", "/vendor/maplibre-gl/maplibre-gl.mjs"):
        response = await get(app, path)
        assert response.status_code == 503, path
        body = response.json()
        assert body["code"] == "frontend_not_installed"
        assert "npm ci" in body["message"] and "npm ci" in body["message_zh"]


async def test_config_has_no_basemap_by_default(tmp_path):
    config = (await get(dashboard_app(tmp_path), "/api/config")).json()
    assert config["basemap"] is None
    assert config["default_language"] == "zh-CN"
    assert config["demo"] is True  # test environment with the published demo password


@pytest.mark.parametrize("gcj02", [True, False])
async def test_configured_basemap_is_allowed_by_the_policy(tmp_path, gcj02):
    url = "https://tiles.example.cn/{z}/{x}/{y}.png"
    app = dashboard_app(
        tmp_path, basemap_url=url, basemap_gcj02=gcj02, basemap_attribution="© example"
    )
    config = (await get(app, "/api/config")).json()
    assert config["basemap"] == {
        "url": url,
        "gcj02": gcj02,
        "attribution": "© example",
        "max_zoom": 18,
    }
    policy = (await get(app, "/")).headers["content-security-policy"]
    assert "img-src 'self' data: blob: https://tiles.example.cn" in policy
    assert "connect-src 'self' https://tiles.example.cn" in policy
