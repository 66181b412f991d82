"""A real blockgrid server in a subprocess, for clients that speak HTTP themselves (GDAL).

The server reads ``fresh_database`` (the mini city in a database of its own), so its
logins and audit records never reach the database the other tests share. It is stopped
after the module.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api.settings import PROJECT_ROOT
from tests.conftest import PASSWORD, free_port

SERVER = """
import os, uvicorn
from api.main import create_app
from api.settings import Settings
settings = Settings(environment="test", DATABASE_URL=os.environ["OGC_TEST_DATABASE_URL"])
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(os.environ["OGC_TEST_PORT"]),
            log_level="warning")
"""


@dataclass(frozen=True)
class LiveServer:
    base: str

    def token(self, username: str) -> str:
        response = httpx.post(
            f"{self.base}/auth/token",
            trust_env=False,
            data={"username": username, "password": PASSWORD},
        )
        assert response.status_code == 200, response.text
        return response.json()["access_token"]


def _wait_until_up(process: subprocess.Popen, base: str, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text(errors="replace")
            raise RuntimeError(f"the server exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(f"{base}/healthz", trust_env=False, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer on {base} within {seconds:.0f} s")


@pytest.fixture(scope="module")
def live_server(
    fresh_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """uvicorn serving ``create_app(Settings(environment="test", DATABASE_URL=...))``."""
    port = free_port()
    env = os.environ | {
        "OGC_TEST_DATABASE_URL": fresh_database,
        "OGC_TEST_PORT": str(port),
        "BLOCKGRID_ENVIRONMENT": "test",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    log = tmp_path_factory.mktemp("ogc-server") / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVER],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, base, log)
        yield LiveServer(base=base)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
