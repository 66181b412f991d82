"""The FastAPI application factory; the lifespan owns the connection pool."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.areas.views import router as areas_router
from api.audit.views import router as audit_router
from api.auth.views import router as auth_router
from api.buildings.views import router as buildings_router
from api.db import api_database_url, create_engine, create_session_factory, libpq_url
from api.departments.views import router as departments_router
from api.docs_ui import install_docs
from api.edge import RejectNulBytes
from api.errors import install_error_handlers
from api.events import sweeper
from api.events.admin_views import router as event_admin_router
from api.events.indicator_views import router as indicators_router
from api.events.live import Broadcaster
from api.events.live_views import router as live_router
from api.events.views import categories_router as event_categories_router
from api.events.views import router as events_router
from api.frontend import install_frontend
from api.health.views import router as health_router
from api.hotspots.views import router as hotspots_router
from api.maps.briefing_views import router as briefing_router
from api.maps.tile_cache import TileCache
from api.maps.views import router as tiles_router
from api.middleware import LimitBodySize
from api.ogc.views import router as ogc_router
from api.open311.admin import router as open311_keys_router
from api.open311.views import router as open311_router
from api.openapi import install_openapi, operation_id
from api.people.views import router as people_router
from api.reference import router as reference_router
from api.safety import refuse_unsafe_start
from api.security_headers import install_security_headers
from api.settings import Settings, get_settings
from api.users.views import router as users_router

log = logging.getLogger("blockgrid")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; nothing connects to the database until the lifespan starts."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = api_database_url(settings)  # the server's own login role, never the owner
        engine = create_engine(url, settings)
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        app.state.broadcaster = Broadcaster(libpq_url(url))
        background: list[asyncio.Task] = []
        try:
            await refuse_unsafe_start(engine, settings)
            if settings.sweep_interval_seconds:
                background.append(
                    asyncio.create_task(
                        sweeper.run_periodically(engine, settings.sweep_interval_seconds)
                    )
                )
            yield
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await app.state.broadcaster.close()
            await engine.dispose()

    app = FastAPI(
        title="blockgrid",
        summary="网格化管理 · 块数据: grids, buildings, people, entities, components and events",
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,  # served by api/docs_ui.py from our own origin (no CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.tile_cache = TileCache(settings.tile_cache_mb * 2**20)
    install_error_handlers(app)
    app.add_middleware(RejectNulBytes)  # inside LimitBodySize: it reads JSON and form bodies
    app.add_middleware(LimitBodySize, max_bytes=settings.max_request_mb * 2**20)
    app.include_router(health_router)
    app.include_router(auth_router)
    app.include_router(users_router)
    app.include_router(people_router)
    app.include_router(tiles_router)
    app.include_router(ogc_router)
    app.include_router(areas_router)
    app.include_router(buildings_router)
    app.include_router(live_router)  # before events_router: /stream is not an event id
    app.include_router(events_router)
    app.include_router(event_categories_router)
    app.include_router(indicators_router)
    app.include_router(open311_router)
    app.include_router(open311_keys_router)
    app.include_router(event_admin_router)
    app.include_router(briefing_router)
    app.include_router(hotspots_router)
    app.include_router(departments_router)
    app.include_router(audit_router)
    app.include_router(reference_router)
    install_frontend(app)
    install_docs(app)
    install_openapi(app)
    install_security_headers(app)  # outermost: every response, 413s and 500s included
    return app
