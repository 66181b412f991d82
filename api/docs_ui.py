"""The API docs (Swagger UI at ``/docs``) served from our own origin: no CDN.

Swagger UI comes from the npm package ``swagger-ui-dist`` (frontend/package.json),
published at ``/vendor/swagger-ui/`` by :mod:`api.frontend`. ReDoc is not served: one
docs page is enough and its npm package pulls in a large dependency tree.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, Response

from api.frontend import NODE_MODULES, _not_installed
from api.security_headers import page_policy

SWAGGER_UI = "/vendor/swagger-ui"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"

router = APIRouter(include_in_schema=False)


def _with_policy(page: HTMLResponse) -> HTMLResponse:
    # Scripts: our origin and the page's own inline script by hash. Swagger UI needs no
    # inline styles (checked in Chromium: no CSP violation with the operations open).
    html = bytes(page.body).decode()
    page.headers["Content-Security-Policy"] = page_policy(html)
    page.headers["Cache-Control"] = "no-cache"
    return page


@router.get("/docs")
async def swagger_ui(request: Request) -> Response:
    """Swagger UI for ``/openapi.json``; 503 with instructions while npm packages are missing."""
    if not (NODE_MODULES / "swagger-ui-dist").is_dir():
        return _not_installed()
    root = request.scope.get("root_path", "")
    page = get_swagger_ui_html(
        openapi_url=root + (request.app.openapi_url or "/openapi.json"),
        title=f"{request.app.title} — API",
        swagger_js_url=f"{root}{SWAGGER_UI}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{SWAGGER_UI}/swagger-ui.css",
        swagger_favicon_url=f"{root}{SWAGGER_UI}/favicon-32x32.png",
        oauth2_redirect_url=root + OAUTH2_REDIRECT,
        swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": False},
    )
    return _with_policy(page)


@router.get(OAUTH2_REDIRECT)
async def swagger_ui_redirect() -> Response:
    return _with_policy(get_swagger_ui_oauth2_redirect_html())


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs`` (create the app with ``docs_url=None, redoc_url=None``)."""
    app.include_router(router)
