"""A request-size limit applied before anything reads the body (oversized → 413 JSON)."""

from __future__ import annotations

import contextlib
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


class LimitBodySize:
    """Refuse request bodies above ``max_bytes``, by Content-Length or while streaming
    (chunked), on every route that reads its body."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send, int(declared))
            return
        seen = 0
        started = refused = False

        async def limited_receive() -> Message:
            nonlocal seen, refused
            if refused:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    refused = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # FastAPI turns any error while parsing a body into its own 400 (and a route
            # may catch it too): once the body is refused, the app's answer is dropped.
            nonlocal started
            if refused and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, limited_receive, guarded_send)
        if refused and not started:
            await self._refuse(send, None)

    async def _refuse(self, send: Send, size: int | None) -> None:
        """413 with our error body; ``size`` is None for a streamed (chunked) body."""
        what = f"request body of {size:,} bytes" if size is not None else "request body"
        body = json.dumps(
            {
                "code": "payload_too_large",
                "message": f"{what} exceeds the limit of {self.max_bytes:,} bytes",
                "message_zh": "请求内容过大",
            },
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
