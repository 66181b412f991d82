"""Run the blockgrid server in a child process for a benchmark, and sign in."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from api.db import embedded_cluster
from api.settings import PROJECT_ROOT, get_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _api_password() -> str:
    """The password of ``blockgrid_api`` for the bench databases (docs/database-roles.md)."""
    settings = get_settings()
    if settings.api_database_password is not None:
        return settings.api_database_password.get_secret_value()
    return embedded_cluster(settings).api_password


@contextmanager
def server(
    url: str,
    *,
    workers: int = 2,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    application: str = "api.main:create_app",
    ready_path: str = "/readyz",
) -> Iterator[str]:
    """``uvicorn`` serving ``application`` (a factory when it names ``create_app``) on
    ``url``'s database; yields the base URL."""
    port = free_port()
    environment = (
        os.environ
        | {
            "DATABASE_URL": url,
            "BLOCKGRID_API_DATABASE_PASSWORD": _api_password(),  # the API's own login
            "BLOCKGRID_ENVIRONMENT": "demo",
            "BLOCKGRID_SWEEP_INTERVAL_SECONDS": "0",
            "NO_PROXY": "127.0.0.1",
        }
        | (env or {})
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            application,
            *(["--factory"] if application.endswith(":create_app") else []),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=PROJECT_ROOT,
        env=environment,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}")
            try:
                if httpx.get(f"{base}{ready_path}", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError(f"the server on {base} did not become ready")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def token(base: str, username: str, password: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/auth/token", data={"username": username, "password": password}, timeout=30
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
