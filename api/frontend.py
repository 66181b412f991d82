"""Serve the map dashboard (指挥中心大屏 / 网格员手机端): page, own modules, npm vendor files.

Nothing comes from a CDN (government networks are often offline): MapLibre GL, Chart.js
and Leaflet are served from ``frontend/node_modules`` as installed by ``npm ci``. The page
and its scripts need no login; every data request they make does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from api.security_headers import page_policy
from api.settings import DEFAULT_DEMO_PASSWORD, PROJECT_ROOT, Settings

FRONTEND_DIR = PROJECT_ROOT / "frontend"
NODE_MODULES = FRONTEND_DIR / "node_modules"

# URL prefix under /vendor/ → the folder of the npm package that is published there.
VENDOR_PACKAGES = {
    "maplibre-gl": "maplibre-gl/dist",
    "chart.js": "chart.js/dist",
    "kurkle-color": "@kurkle/color/dist",
    "leaflet": "leaflet/dist",
    "swagger-ui": "swagger-ui-dist",
}

MEDIA_TYPES = {
    ".mjs": "text/javascript; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

NOT_INSTALLED = {
    "code": "frontend_not_installed",
    "message": (
        "the dashboard's JavaScript packages are missing (frontend/node_modules): "
        "run `make demo` or `npm ci` in frontend/"
    ),
    "message_zh": (
        "前端依赖未安装（缺少 frontend/node_modules）："
        "请运行 make demo 或在 frontend/ 下执行 npm ci"
    ),
}


class BasemapConfig(BaseModel):
    url: str
    gcj02: bool
    attribution: str
    max_zoom: int


class DashboardConfig(BaseModel):
    basemap: BasemapConfig | None = Field(description="null: plain background, no basemap")
    demo: bool = Field(description="demo accounts with the published password: show the hint")
    default_language: str = "zh-CN"
    languages: list[str] = ["zh-CN", "en"]


def dashboard_config(settings: Settings) -> DashboardConfig:
    basemap = None
    if settings.basemap_url:
        basemap = BasemapConfig(
            url=settings.basemap_url,
            gcj02=settings.basemap_gcj02,
            attribution=settings.basemap_attribution,
            max_zoom=settings.basemap_max_zoom,
        )
    demo = settings.is_demo and (settings.demo_password.get_secret_value() == DEFAULT_DEMO_PASSWORD)
    return DashboardConfig(basemap=basemap, demo=demo)


def _not_installed() -> JSONResponse:
    return JSONResponse(NOT_INSTALLED, status_code=503, headers={"Retry-After": "60"})


class CachedFiles(StaticFiles):
    """Static files with explicit media types and a cache policy; no directory listings."""

    def __init__(self, directory: Path, *, cache_control: str, needs_npm: bool = False) -> None:
        super().__init__(directory=directory, check_dir=False, follow_symlink=False)
        self.root = directory
        self.cache_control = cache_control
        self.needs_npm = needs_npm

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.needs_npm and not self.root.is_dir():
            await _not_installed()(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def file_response(
        self, full_path: Any, stat_result: Any, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        media_type = MEDIA_TYPES.get(Path(full_path).suffix)
        if media_type:
            response.headers["content-type"] = media_type
        response.headers["cache-control"] = self.cache_control
        # A module started as a worker (MapLibre's maplibre-gl-worker.mjs) runs under the
        # policy of its own response: the dashboard's, so that it may fetch the tiles.
        settings = scope["app"].state.settings
        response.headers["content-security-policy"] = content_security_policy(
            "", settings.basemap_url
        )
        return response


def content_security_policy(html: str, basemap_url: str) -> str:
    """Only our own origin (and the configured basemap), the import map pinned by its hash.

    MapLibre GL starts its workers from ``blob:`` URLs and reads sprites/canvases as
    ``data:``/``blob:`` images; every style is a stylesheet or set through the CSSOM, so
    no ``'unsafe-inline'`` for styles.
    """
    images = ["'self'", "data:", "blob:"]
    connect = ["'self'"]
    if basemap_url:
        parts = urlsplit(basemap_url.replace("{s}", "a"))
        origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
        if origin:
            images.append(origin)
            connect.append(origin)
    return page_policy(html, images=images, connect=connect, workers=("'self'", "blob:"))


router = APIRouter(tags=["dashboard"])


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
async def dashboard(request: Request) -> Response:
    """The dashboard page (看板): 503 with instructions while npm packages are missing."""
    if not NODE_MODULES.is_dir():
        return _not_installed()
    index = FRONTEND_DIR / "index.html"
    html = index.read_text(encoding="utf-8")
    policy = content_security_policy(html, request.app.state.settings.basemap_url)
    return FileResponse(
        index,
        media_type="text/html; charset=utf-8",
        headers={
            "Cache-Control": "no-cache",
            "Content-Security-Policy": policy,
            # keyed basemaps (e.g. 天地图) check the Referer's origin; no path is sent
            "Referrer-Policy": "strict-origin-when-cross-origin",
        },
    )


@router.get(
    "/api/config",
    response_model=DashboardConfig,
    summary="Dashboard configuration: optional basemap, languages (no login needed)",
)
async def read_config(request: Request) -> DashboardConfig:
    return dashboard_config(request.app.state.settings)


def install_frontend(app: FastAPI) -> None:
    """Serve the dashboard at ``/``, its modules at ``/static/``, npm files at ``/vendor/``."""
    app.include_router(router)
    app.mount("/static", CachedFiles(FRONTEND_DIR / "src", cache_control="no-cache"), name="static")
    for prefix, package in VENDOR_PACKAGES.items():
        app.mount(
            f"/vendor/{prefix}",
            CachedFiles(
                NODE_MODULES / package, cache_control="public, max-age=86400", needs_npm=True
            ),
            name=f"vendor-{prefix}",
        )
