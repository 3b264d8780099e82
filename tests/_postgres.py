"""A throw-away PostgreSQL cluster from the Debian packages: initdb in a temp dir, pg_ctl on a free port.

Used by the test session (``postgres`` fixture in ``tests/conftest.py``) and by ``bench/appdb.py``.
initdb refuses to run as root, so as root the cluster belongs to the ``postgres`` OS user. The cluster
trusts local connections (it listens on 127.0.0.1 only and lives as long as the session).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

#: Set to use this port instead of one the OS picks.
PORT_VARIABLE = "CHAINSIGHT_TEST_PG_PORT"


def pg_bin() -> Path | None:
    """The folder with ``initdb`` and ``pg_ctl``: on PATH, else the newest /usr/lib/postgresql/N/bin."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def free_port() -> int:
    """A TCP port nobody listens on right now (``CHAINSIGHT_TEST_PG_PORT`` if set)."""
    if os.environ.get(PORT_VARIABLE):
        return int(os.environ[PORT_VARIABLE])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running cluster; :meth:`database` makes a fresh, empty database and returns its URL."""

    bin: Path
    root: Path
    port: int
    fsync: bool
    _names: count[int] = field(default_factory=count)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *args: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_postgres, *args], check=True, capture_output=True, text=True)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   f"-c fsync={'on' if self.fsync else 'off'} -c max_connections=200")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-w",
                  "-o", options, "start")

    def stop(self) -> None:
        """Stop at once (``-m immediate``): the cluster is thrown away or restarted, never kept."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-m", "immediate", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """CREATE DATABASE a new one; its URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_cluster(*, fsync: bool = False) -> Cluster:
    """initdb and start a cluster in a new temp dir; raises ``RuntimeError`` without PostgreSQL."""
    bin_dir = pg_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql)")
    root = Path(tempfile.mkdtemp(prefix="chainsight-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    cluster = Cluster(bin_dir, root, free_port(), fsync)
    try:
        cluster._run(str(bin_dir / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", "postgres",
                     "-E", "UTF8", "--locale=C", "--no-sync")
        cluster.start()
    except subprocess.CalledProcessError as exc:
        log = (root / "log").read_text(errors="replace") if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}{log}") from exc
    return cluster


def remove_cluster(cluster: Cluster) -> None:
    """Stop the cluster (whatever state it is in) and delete its folder."""
    try:
        cluster.stop()
    except subprocess.CalledProcessError:
        pass  # already stopped
    shutil.rmtree(cluster.root, ignore_errors=True)
