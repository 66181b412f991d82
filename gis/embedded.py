"""A private PostgreSQL + PostGIS cluster (嵌入式数据库) kept under the project's ``var/``.

The cluster listens on 127.0.0.1 on its own port and on a unix socket in its own
directory, is sized for the machine, and runs as the ``postgres`` system user when
the caller is root (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

POSTGIS_PACKAGE = "postgresql-15-postgis-3"
PG_MAJOR = 15
_PG_BIN_CANDIDATES = (Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin"), Path("/usr/local/pgsql/bin"))


class ClusterError(RuntimeError):
    """The embedded cluster cannot be set up, started or reached; the message says why."""


@dataclass(frozen=True)
class ClusterStatus:
    """What ``blockgrid db status`` reports."""

    initialised: bool
    running: bool
    pid: int | None
    port: int
    url: str


def machine_sized_settings(total_ram: int | None = None, cpus: int | None = None) -> dict[str, str]:
    """Return postgresql.conf settings sized for this machine.

    Parameters
    ----------
    total_ram : int, optional
        Bytes of RAM; defaults to what psutil reports.
    cpus : int, optional
        Logical CPUs; defaults to ``os.cpu_count()``.

    Returns
    -------
    dict of str to str
        Setting name to value, e.g. ``shared_buffers`` at a quarter of RAM (at most 8 GB).

    Examples
    --------
    >>> machine_sized_settings(24 * 2**30, 2)["shared_buffers"]
    '6144MB'
    """
    ram_mb = (total_ram or psutil.virtual_memory().total) // 2**20
    cpus = cpus or os.cpu_count() or 1
    return {
        "shared_buffers": f"{min(ram_mb // 4, 8192)}MB",
        "effective_cache_size": f"{ram_mb // 2}MB",
        "work_mem": f"{max(4, min(ram_mb // 256, 64))}MB",
        "maintenance_work_mem": f"{max(64, min(ram_mb // 16, 2048))}MB",
        "max_worker_processes": str(max(8, cpus * 2)),
        "max_parallel_workers": str(cpus),
        "max_parallel_workers_per_gather": str(max(1, cpus // 2)),
        "max_parallel_maintenance_workers": str(max(1, cpus // 2)),
        "max_connections": "200",
        "max_wal_size": "4GB",
        "wal_buffers": "16MB",
        # The WAL writer flushes often, on its own core, so that a bulk COPY seldom has
        # to write WAL itself before reusing a buffer (~20 % off a 300,000-row COPY).
        "wal_writer_delay": "10ms",
        "random_page_cost": "1.1",
        "jit": "off",
        "synchronous_commit": "off",
        "checkpoint_completion_target": "0.9",
        "log_min_duration_statement": "2000",
    }


def find_pg_bin() -> Path:
    """Locate the PostgreSQL 15 server binaries and check that PostGIS is installed.

    Raises
    ------
    ClusterError
        With the Debian package to install when either is missing.
    """
    for candidate in _PG_BIN_CANDIDATES:
        if (candidate / "pg_ctl").exists() and (candidate / "initdb").exists():
            bin_dir = candidate
            break
    else:
        raise ClusterError(
            f"PostgreSQL {PG_MAJOR} server binaries not found; on Debian install "
            f"'postgresql-{PG_MAJOR} {POSTGIS_PACKAGE}' (make demo / make test do this as root)"
        )
    control = Path(f"/usr/share/postgresql/{PG_MAJOR}/extension/postgis.control")
    if not control.exists():
        raise ClusterError(
            f"PostGIS for PostgreSQL {PG_MAJOR} is not installed; on Debian: "
            f"apt-get install {POSTGIS_PACKAGE}"
        )
    return bin_dir


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Tell whether nothing listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class EmbeddedCluster:
    """Manage the private cluster whose files live under ``root``.

    Layout: ``root/data`` (PGDATA), ``root/run`` (unix socket), ``root/port`` (the port
    chosen at first start), ``root/password`` (the owner's generated password, mode 0600),
    ``root/api-password`` (the API login role's, mode 0600), ``root/postgres.log``.

    Two roles log in: ``user`` owns the database (migrations, loaders, the operator) and
    ``api_user`` is the application server's login, which may do only what the schema's
    grants allow (docs/database-roles.md). The migrations create ``api_user``; the command
    line gives it LOGIN and :attr:`api_password` (api/database_roles.py).
    """

    database = "blockgrid"
    user = "blockgrid"
    api_user = "blockgrid_api"

    def __init__(self, root: Path, *, port: int = 55432) -> None:
        self.root = Path(root).resolve()
        self._port_file = self.root / "port"
        self._password_file = self.root / "password"
        self._api_password_file = self.root / "api-password"
        self._server_root_file = self.root / "server_root"
        self._preferred_port = port

    @property
    def server_root(self) -> Path:
        """Where the server's own files live: ``root``, or a folder of the ``postgres``
        user when root runs us from a folder that user cannot reach (e.g. under /root)."""
        if self._server_root_file.exists():
            return Path(self._server_root_file.read_text().strip())
        return self.root

    @property
    def data_dir(self) -> Path:
        return self.server_root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.server_root / "run"

    @property
    def log_file(self) -> Path:
        return self.server_root / "postgres.log"

    # -- facts -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._port_file.exists():
            return int(self._port_file.read_text().strip())
        return self._preferred_port

    @property
    def password(self) -> str:
        return self._password_file.read_text().strip()

    @property
    def api_password(self) -> str:
        """The API login role's password (written by :meth:`up`, mode 0600)."""
        if not self._api_password_file.exists():
            raise ClusterError(f"no API password under {self.root}; run 'blockgrid db up' first")
        return self._api_password_file.read_text().strip()

    def url(self, *, driver: str = "postgresql") -> str:
        """Return the owner's DSN of the application database on this cluster."""
        if not self._password_file.exists():
            raise ClusterError(f"no cluster under {self.root}; run 'blockgrid db up' first")
        return f"{driver}://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    def api_url(self, *, driver: str = "postgresql") -> str:
        """Return the API login role's DSN of the application database on this cluster."""
        password = self.api_password
        return f"{driver}://{self.api_user}:{password}@127.0.0.1:{self.port}/{self.database}"

    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def running_pid(self) -> int | None:
        """Return the postmaster's pid if this cluster's server is alive, else None."""
        pid_file = self.data_dir / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().splitlines()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None
        try:
            process = psutil.Process(pid)
            alive = process.status() != psutil.STATUS_ZOMBIE
            ours = alive and str(self.data_dir) in " ".join(process.cmdline())
        except psutil.Error:
            ours = False
        return pid if ours else None

    def status(self) -> ClusterStatus:
        pid = self.running_pid()
        url = self.url() if self._password_file.exists() else ""
        return ClusterStatus(self.is_initialised(), pid is not None, pid, self.port, url)

    # -- actions -----------------------------------------------------------------------
    def up(self, *, wait_seconds: float = 60) -> ClusterStatus:
        """Initialise (first time), start (if stopped) and prepare the application database."""
        bin_dir = find_pg_bin()
        if not self.is_initialised():
            self._initialise(bin_dir)
        if self.running_pid() is None:
            self._remove_stale_pid_file()
            self._choose_port()
            self._write_settings()
            self._run(
                [
                    str(bin_dir / "pg_ctl"),
                    "start",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-w",
                    "-t",
                    str(int(wait_seconds)),
                    "-o",
                    f"-p {self.port} -k {self.socket_dir}",
                ],
                what="start PostgreSQL",
            )
        self._prepare_database(bin_dir)
        self._keep_api_password()
        return self.status()

    def down(self) -> None:
        """Stop the server (fast shutdown) if it runs."""
        if self.running_pid() is None:
            self._remove_stale_pid_file()
            return
        bin_dir = find_pg_bin()
        self._run(
            [str(bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast", "-w"],
            what="stop PostgreSQL",
        )

    def destroy(self) -> None:
        """Stop the server and delete every file of the cluster."""
        self.down()
        shutil.rmtree(self.server_root, ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)

    # -- internals ---------------------------------------------------------------------
    def _server_user(self) -> str | None:
        """The system user that runs the server: ``postgres`` when we are root."""
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam("postgres")
        except KeyError as exc:
            raise ClusterError(
                "running as root needs the 'postgres' system user (created by the Debian "
                "postgresql packages) to run the server"
            ) from exc
        return "postgres"

    def _run(self, args: list[str], *, what: str) -> str:
        user = self._server_user()
        command = ["runuser", "-u", user, "--", *args] if user else args
        result = subprocess.run(  # noqa: S603 - fixed binaries, no shell
            command, capture_output=True, text=True, cwd="/", check=False
        )
        if result.returncode != 0:
            log_tail = ""
            if self.log_file.exists():
                log_tail = "\n".join(self.log_file.read_text(errors="replace").splitlines()[-15:])
            raise ClusterError(
                f"could not {what} (exit {result.returncode}):\n{result.stderr.strip()}\n{log_tail}"
            )
        return result.stdout

    def _hand_over(self, path: Path) -> None:
        user = self._server_user()
        if user:
            entry = pwd.getpwnam(user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _initialise(self, bin_dir: Path) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)
        self._place_server_root()
        server_root = self.server_root
        server_root.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        self._hand_over(server_root)
        self._hand_over(self.socket_dir)
        password = secrets.token_urlsafe(24)
        pwfile = server_root / ".initpw"
        pwfile.write_text(password + "\n")
        pwfile.chmod(0o600)
        self._hand_over(pwfile)
        try:
            self._run(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--data-checksums",
                ],
                what="initialise the cluster (initdb)",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        self._password_file.write_text(password + "\n")
        self._password_file.chmod(0o600)
        conf = self.data_dir / "postgresql.conf"
        with conf.open("a") as handle:
            handle.write("\ninclude_if_exists = 'blockgrid.conf'\n")

    def _keep_api_password(self) -> None:
        """Generate the API login role's password once (clusters made before it existed too)."""
        if self._api_password_file.exists():
            return
        draft = self._api_password_file.with_name(f".api-password-{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(24) + "\n")
        with contextlib.suppress(FileExistsError):  # another process wrote it first: keep that
            os.link(draft, self._api_password_file)
        draft.unlink()

    def _place_server_root(self) -> None:
        """As root, keep the server's files where the ``postgres`` user can reach them."""
        user = self._server_user()
        if user is None or self._server_root_file.exists():
            return
        self._hand_over(self.root)
        probe = subprocess.run(  # noqa: S603
            ["runuser", "-u", user, "--", "test", "-w", str(self.root)],  # noqa: S607
            check=False,
        )
        self.root.chmod(0o700)
        if probe.returncode == 0:
            return
        digest = hashlib.sha1(str(self.root).encode()).hexdigest()[:16]  # noqa: S324 - a name
        home = Path(pwd.getpwnam(user).pw_dir) / "blockgrid" / digest
        home.parent.mkdir(parents=True, exist_ok=True)
        self._hand_over(home.parent)
        self._server_root_file.write_text(f"{home}\n")

    def _remove_stale_pid_file(self) -> None:
        pid_file = self.data_dir / "postmaster.pid"
        if pid_file.exists() and self.running_pid() is None:
            pid_file.unlink()

    def _choose_port(self) -> None:
        port = self.port
        while not port_is_free(port):
            port += 1
            if port > self._preferred_port + 200:
                raise ClusterError(f"no free port between {self._preferred_port} and {port}")
        self._port_file.write_text(f"{port}\n")

    def _write_settings(self) -> None:
        settings = machine_sized_settings()
        settings |= {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
        }
        lines = [f"{name} = {value}" for name, value in settings.items()]
        target = self.data_dir / "blockgrid.conf"
        target.write_text(
            "# written by blockgrid db up; sized for this machine\n" + "\n".join(lines) + "\n"
        )
        self._hand_over(target)

    def _psql(self, bin_dir: Path, sql: str, *, database: str = "postgres") -> str:
        env_password = self.password
        args = [
            str(bin_dir / "psql"),
            "-X",
            "-q",
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(self.socket_dir),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-c",
            sql,
        ]
        result = subprocess.run(  # noqa: S603
            args,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PGPASSWORD": env_password},
        )
        if result.returncode != 0:
            raise ClusterError(f"psql failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def _prepare_database(self, bin_dir: Path) -> None:
        """Create the application role (superuser of this private cluster) and database."""
        password = self.password.replace("'", "''")
        # Fixed identifiers of this class; the password is quote-escaped above.
        exists = self._psql(bin_dir, f"SELECT 1 FROM pg_roles WHERE rolname = '{self.user}'")  # noqa: S608
        if not exists:
            self._psql(bin_dir, f"CREATE ROLE {self.user} LOGIN SUPERUSER PASSWORD '{password}'")
        has_db = self._psql(
            bin_dir,
            f"SELECT 1 FROM pg_database WHERE datname = '{self.database}'",  # noqa: S608
        )
        if not has_db:
            self._psql(bin_dir, f"CREATE DATABASE {self.database} OWNER {self.user}")
        self._psql(bin_dir, "CREATE EXTENSION IF NOT EXISTS postgis", database=self.database)


def wait_until_accepting(host: str, port: int, timeout: float = 30) -> None:
    """Block until a TCP connection to ``host:port`` succeeds or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return
        time.sleep(0.2)
    raise ClusterError(f"nothing accepts connections on {host}:{port} after {timeout}s")
