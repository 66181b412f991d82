"""The NUL-byte safety net: a request carrying 0x00 in its path, query or body is a 422.

PostgreSQL text cannot hold 0x00; the typed parameters (api/validation.py) refuse it
where they are used, and this check refuses it everywhere else before any route runs.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import Unprocessable, render
from api.open311.formats import Format, render_errors
from api.validation import contains_nul

_JSON_NUL = b"\\u0000"


def _nul_in_json(body: bytes) -> bool:
    if _JSON_NUL not in body and b"\x00" not in body:
        return False
    try:
        return contains_nul(json.loads(body))
    except ValueError:  # not JSON: the route's own parsing reports it
        return b"\x00" in body


def _nul_in_form(body: bytes) -> bool:
    return b"%00" in body or b"\x00" in body


class RejectNulBytes:
    """ASGI middleware: refuse NUL in the path, the query string, JSON and form bodies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"]:
            await self._refuse(scope, receive, send, "path")
            return
        query = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query:
            await self._refuse(scope, receive, send, "query")
            return
        content_type = _header(scope, b"content-type")
        if b"json" in content_type:
            check = _nul_in_json
        elif content_type.startswith(b"application/x-www-form-urlencoded"):
            check = _nul_in_form
        else:
            await self.app(scope, receive, send)
            return
        messages, body = await _read_body(receive)
        if check(body):
            await self._refuse(scope, receive, send, "body")
            return
        await self.app(scope, _replay(messages, receive), send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, where: str) -> None:
        error = Unprocessable(
            f"the request {where} contains a NUL (0x00) character",
            code="nul_character",
            message_zh="请求中含有 NUL (0x00) 字符",
            details=[{"field": where, "problem": "NUL (0x00) character", "type": "nul_character"}],
        )
        path = scope.get("path", "")
        if path.startswith("/open311/"):  # GeoReport clients read errors as their list
            fmt = Format.xml if path.endswith(".xml") else Format.json
            await render_errors(422, error.message, fmt)(scope, receive, send)
            return
        await render(error)(scope, receive, send)


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.lower()
    return b""


async def _read_body(receive: Receive) -> tuple[list[Message], bytes]:
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return messages, b"".join(chunks)


def _replay(messages: list[Message], receive: Receive) -> Any:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
