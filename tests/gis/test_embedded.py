"""The embedded PostGIS cluster manager: sizing, root, stale pid files, taken ports."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from gis import embedded
from gis.embedded import ClusterError, EmbeddedCluster, machine_sized_settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="blockgrid-cluster-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster(workdir: Path) -> Iterator[EmbeddedCluster]:
    instance = EmbeddedCluster(workdir / "pg", port=_free_port())
    instance.up()
    yield instance
    instance.destroy()


def psql(cluster: EmbeddedCluster, sql: str) -> str:
    result = subprocess.run(
        ["psql", cluster.url(), "-XAtc", sql], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_settings_are_sized_for_the_machine():
    sized = machine_sized_settings(total_ram=24 * 2**30, cpus=2)
    assert sized["shared_buffers"] == "6144MB"
    assert sized["effective_cache_size"] == "12288MB"
    assert sized["work_mem"] == "64MB"
    assert sized["maintenance_work_mem"] == "1536MB"
    assert sized["max_parallel_workers"] == "2"
    small = machine_sized_settings(total_ram=2 * 2**30, cpus=1)
    assert small["shared_buffers"] == "512MB" and small["work_mem"] == "8MB"


def test_the_cluster_serves_postgis_with_the_sized_settings(cluster):
    assert psql(cluster, "SELECT postgis_lib_version()").startswith("3.")
    expected_mb = int(machine_sized_settings()["shared_buffers"].removesuffix("MB"))
    pages = psql(cluster, "SELECT setting FROM pg_settings WHERE name = 'shared_buffers'")
    assert int(pages) * 8 // 1024 == expected_mb
    assert psql(cluster, "SHOW wal_writer_delay") == "10ms"
    assert psql(cluster, "SHOW listen_addresses") == "127.0.0.1"
    socket_file = cluster.socket_dir / f".s.PGSQL.{cluster.port}"
    assert socket_file.is_socket()


def test_the_server_runs_as_postgres_when_we_are_root(cluster):
    owner = psutil.Process(cluster.running_pid()).username()
    expected = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    assert owner == expected


def test_status_and_url(cluster):
    state = cluster.status()
    assert state.initialised and state.running and state.port == cluster.port
    assert state.url == cluster.url()
    assert (
        cluster.url().startswith("postgresql://blockgrid:")
        and f":{cluster.port}/blockgrid" in cluster.url()
    )
    assert (cluster.root / "password").stat().st_mode & 0o077 == 0


def test_the_api_login_has_its_own_password_kept_like_the_owners(cluster):
    password = cluster.api_password
    assert len(password) == 32 and password != cluster.password
    assert (cluster.root / "api-password").stat().st_mode & 0o777 == 0o600
    assert cluster.api_url() == (
        f"postgresql://blockgrid_api:{password}@127.0.0.1:{cluster.port}/blockgrid"
    )
    cluster.up()
    assert cluster.api_password == password  # generated once, kept across starts


def test_up_copes_with_a_stale_pid_file(cluster):
    cluster.down()
    assert cluster.status().running is False
    pid_file = cluster.data_dir / "postmaster.pid"
    # A pid that is alive but not our postmaster (this very test process), as after a crash
    # and pid reuse, then a pid that is not alive at all.
    for stale in (os.getpid(), 4_000_000):
        pid_file.write_text(f"{stale}\n{cluster.data_dir}\n")
        assert cluster.running_pid() is None
        cluster.up()
        assert cluster.status().running
        cluster.down()
    cluster.up()


def test_up_moves_to_a_free_port_when_its_port_is_taken(cluster):
    cluster.down()
    taken = cluster.port
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        state = cluster.up()
    assert state.running and state.port != taken
    assert f":{state.port}/" in cluster.url()
    assert psql(cluster, "SELECT 1") == "1"


def test_up_is_idempotent(cluster):
    pid = cluster.running_pid()
    cluster.up()
    assert cluster.running_pid() == pid


def test_a_folder_the_postgres_user_cannot_reach_is_handled(workdir):
    hidden = workdir / "private"
    hidden.mkdir(mode=0o700)
    instance = EmbeddedCluster(hidden / "pg", port=_free_port())
    try:
        instance.up()
        assert instance.status().running
        if os.geteuid() == 0:
            assert not str(instance.data_dir).startswith(str(hidden))
            assert pwd.getpwuid(instance.data_dir.stat().st_uid).pw_name == "postgres"
        else:
            assert instance.server_root == instance.root
    finally:
        instance.destroy()
    assert not instance.root.exists()


def test_missing_binaries_name_the_package_to_install(monkeypatch):
    monkeypatch.setattr(embedded, "_PG_BIN_CANDIDATES", (Path("/nonexistent/bin"),))
    with pytest.raises(ClusterError, match="postgresql-15-postgis-3"):
        embedded.find_pg_bin()


def test_url_before_initialisation_says_what_to_run(workdir):
    with pytest.raises(ClusterError, match="blockgrid db up"):
        EmbeddedCluster(workdir / "never").url()
    with pytest.raises(ClusterError, match="blockgrid db up"):
        EmbeddedCluster(workdir / "never").api_url()
