"""A private PostgreSQL server for the team-mode tests: initdb + pg_ctl in a temporary directory.

One cluster per test session, listening on a Unix socket in its directory and on a loopback port;
each test gets its own database copied from a migrated template (CREATE DATABASE … TEMPLATE), so
tests are isolated and a fresh ledger costs milliseconds. initdb refuses to run as root (CI runs as
root): then the cluster runs as the `postgres` system user through runuser, in a directory that
user owns. Helpers stop and restart the server mid-test, and `LinkProxy` stands between one
companion and the server so a test can cut that companion off.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from companion.ledger.migrate import migrate

TEMPLATE = "spdesk_template"
SUPERUSER = "postgres"
# A role that must give its password (scram), for the tests of the keyring-kept password; every
# other connection is trusted (the server listens on loopback and a private socket only).
PASSWORD_ROLE, PASSWORD = "spdesk_pw", "correct horse battery staple"
HBA = f"""
host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256
local all all trust
host all all 127.0.0.1/32 trust
"""
# Fast and still crash-safe for the server process: no fsync (the OS keeps what was written),
# but commits wait for the WAL write, so an immediate stop loses no acknowledged commit.
SERVER_CONFIG = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{socket_dir}'
max_connections = 200
fsync = off
full_page_writes = off
synchronous_commit = on
log_min_messages = warning
"""


def postgres_bindir() -> Path:
    """Where initdb and pg_ctl live (Debian keeps them per major version, off the PATH)."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3])
    )
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("PostgreSQL is not installed: run packaging/bootstrap.sh test")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PgCluster:
    """One private PostgreSQL server; `dsn(db)` addresses a database on it over TCP."""

    root: Path
    port: int
    bindir: Path = field(default_factory=postgres_bindir)
    run_as: str | None = SUPERUSER if os.geteuid() == 0 else None

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / argv[0]), *argv[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60)

    def init(self) -> None:
        """initdb with trust authentication: the server listens on loopback and a 0700 dir only."""
        if self.run_as:
            shutil.chown(self.root, self.run_as, self.run_as)
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
        config = SERVER_CONFIG.format(port=self.port, socket_dir=self.root)
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as handle:
            handle.write(config)
        (self.data / "pg_hba.conf").write_text(HBA, encoding="utf-8")

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w",
                  "-t", "30", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: "fast" (clean) or "immediate" (like a crash; recovery at next start)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def restart(self, mode: str = "fast") -> None:
        """Stop and start again on the same port."""
        self.stop(mode)
        self.start()

    def dsn(self, dbname: str, port: int | None = None, user: str = SUPERUSER) -> str:
        """A password-free URI for a database, over TCP (optionally through a proxy's port)."""
        return f"postgresql://{user}@127.0.0.1:{port or self.port}/{dbname}"

    def execute(self, statement: str, dbname: str = "postgres") -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
        with psycopg.connect(self.dsn(dbname), autocommit=True) as conn:
            conn.execute(statement.encode())

    def create_database(self, template: str = TEMPLATE) -> str:
        """A new database copied from a template; returns its name."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, ending whatever still uses it."""
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def terminate(self, dbname: str) -> int:
        """End every server process connected to a database (the companions see a lost link)."""
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (dbname,),
            ).fetchall()
        return len(rows)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """The session's PostgreSQL server, with the migrated template database."""
    root = Path(tempfile.mkdtemp(prefix="spdesk-pg-"))
    cluster = PgCluster(root=root, port=free_port())
    cluster.init()
    cluster.start()
    try:
        cluster.execute(f'CREATE DATABASE "{TEMPLATE}"')
        cluster.execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN SUPERUSER PASSWORD '{PASSWORD}'")
        asyncio.run(migrate_dsn(cluster.dsn(TEMPLATE)))
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


async def migrate_dsn(dsn: str) -> None:
    """Bring the database at `dsn` to the newest ledger schema."""
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await migrate(conn)


@dataclass(frozen=True)
class LedgerDb:
    """A fresh database on the session's server, for one test."""

    cluster: PgCluster
    name: str

    @property
    def dsn(self) -> str:
        """Its password-free URI."""
        return self.cluster.dsn(self.name)


@pytest.fixture
def ledger_db(pg_cluster: PgCluster) -> Iterator[LedgerDb]:
    """A database holding an empty ledger at the newest schema; dropped afterwards."""
    db = LedgerDb(pg_cluster, pg_cluster.create_database())
    yield db
    _ensure_running(pg_cluster)
    pg_cluster.drop_database(db.name)


@pytest.fixture
def empty_db(pg_cluster: PgCluster) -> Iterator[LedgerDb]:
    """A database with no schema at all (for the migration tests); dropped afterwards."""
    db = LedgerDb(pg_cluster, pg_cluster.create_database(template="template0"))
    yield db
    _ensure_running(pg_cluster)
    pg_cluster.drop_database(db.name)


def _ensure_running(cluster: PgCluster) -> None:
    # A test that stopped the server and failed before starting it must not break the next one.
    try:
        cluster.execute("SELECT 1")
    except psycopg.OperationalError:
        cluster.start()


class LinkProxy:
    """A TCP relay between companions and the server that a test can cut and restore.

    `cut()` is a network partition: open connections stop carrying bytes (nothing is closed, so
    the companion only notices by its own timeouts) and new ones are accepted but never reach the
    server. `reset()` closes every connection at once, as a crashed router would. `restore()`
    lets new connections through again.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = 0
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._pumps: set[asyncio.Task[None]] = set()

    async def start(self) -> LinkProxy:
        """Listen on a free loopback port."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._links.add(writer)
        if not self._flowing.is_set():
            return  # held open, never answered: a partition, not a refusal
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        self._links.add(up_writer)
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pump(source, sink))
            self._pumps.add(task)
            task.add_done_callback(self._pumps.discard)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await source.read(65536):
                await self._flowing.wait()  # a partition holds bytes back
                sink.write(data)
                await sink.drain()
        sink.close()

    def cut(self) -> None:
        """Stop carrying bytes; connections stay open and hang."""
        self._flowing.clear()

    def reset(self) -> None:
        """Close every connection now (the companion sees the link drop at once)."""
        self._flowing.clear()
        for writer in list(self._links):
            writer.close()
        self._links.clear()

    def restore(self) -> None:
        """Carry bytes again and let new connections through."""
        self._flowing.set()

    async def close(self) -> None:
        """Stop listening and drop every connection."""
        self.reset()
        for task in list(self._pumps):
            task.cancel()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@pytest.fixture
async def link_proxy(pg_cluster: PgCluster) -> AsyncIterator[LinkProxy]:
    """A proxy to the session's server; point one companion's DSN at `proxy.port`."""
    proxy = await LinkProxy(pg_cluster.port).start()
    yield proxy
    await proxy.close()
