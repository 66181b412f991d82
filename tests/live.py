"""A real uvicorn server in a background thread, for browser and GDAL tests.

It connects as production does: the lifespan logs in with ``api_database_url(settings)``
(the API's own role, never the owner) and refuses to start as a privileged login.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from api.db import api_database_url
from api.main import create_app
from api.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(settings: Settings, *, timeout: float = 30) -> Iterator[str]:
    """Serve the app on a free port; yield its base URL; stop it afterwards."""
    api_database_url(settings)  # the API's own login must be configured (fails clearly)
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError(f"the server on {base} stopped while starting (see its log)")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    else:
        server.should_exit = True
        raise RuntimeError(f"the server on {base} did not become ready in {timeout}s")
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)
