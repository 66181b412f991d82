"""Security headers on every response (API JSON, errors, docs, photos, tiles, the dashboard).

A pure ASGI middleware: it only adds headers to ``http.response.start``, so streamed
bodies (the live event stream, file responses) pass through untouched. A route that
sets its own ``Content-Security-Policy``, ``Referrer-Policy`` or ``Cache-Control`` keeps
it (the dashboard, the API docs and the briefing maps need a policy that lets their own
scripts run; tiles, photos and static files have their cache policies).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: For everything that is not one of our HTML pages: nothing may load, run or frame it.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

#: Set when the response has none of its own. ``no-store``: authenticated data is never
#: kept in a browser's or proxy's cache unless the route chose a policy (tiles, static files).
DEFAULT_HEADERS = (
    ("content-security-policy", API_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cache-control", "no-store"),
)

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


def inline_script_hashes(html: str) -> list[str]:
    """The CSP ``'sha256-…'`` source of each inline ``<script>`` of ``html``."""
    sources = []
    for body in _INLINE_SCRIPT.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        sources.append(f"'sha256-{digest}'")
    return sources


def page_policy(
    html: str,
    *,
    images: Iterable[str] = ("'self'", "data:"),
    connect: Iterable[str] = ("'self'",),
    styles: Iterable[str] = ("'self'",),
    workers: Iterable[str] = (),
) -> str:
    """A strict policy for one of our HTML pages: own origin, its inline scripts by hash."""
    scripts = ["'self'", *inline_script_hashes(html)]
    directives = [
        "default-src 'self'",
        f"script-src {' '.join(scripts)}",
        f"style-src {' '.join(styles)}",
        f"img-src {' '.join(images)}",
        f"connect-src {' '.join(connect)}",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if workers:
        directives.append(f"worker-src {' '.join(workers)}")
    return "; ".join(directives)


class SecurityHeaders:
    """ASGI middleware: add :data:`DEFAULT_HEADERS` that a response does not set itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in DEFAULT_HEADERS:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI) -> None:
    """Wrap the whole middleware stack, Starlette's error middleware included, so that a
    500 gets the headers too (``add_middleware`` would sit inside ServerErrorMiddleware)."""
    build: Callable[[], ASGIApp] = app.build_middleware_stack

    def build_with_headers() -> ASGIApp:
        return SecurityHeaders(build())

    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]
