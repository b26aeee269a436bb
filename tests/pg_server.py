"""A private PostgreSQL server for the tests: Debian's binaries, a cluster in a
temporary folder, reachable only through a Unix socket in that folder (no TCP
port to collide with anyone's), stopped and removed at the end.

PostgreSQL refuses to run as root: as root the cluster belongs to the
``postgres`` account (made by Debian's package) and its commands run as it.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

ROLE = "grader"  # the role the course's db_url names, owner of every test database


class ServerUnavailable(Exception):
    """The server cannot be installed or started here: the reason, for a skip."""


def binaries() -> Path:
    """The newest installed server's bin folder (``/usr/lib/postgresql/<version>/bin``)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise ServerUnavailable("no PostgreSQL server installed (Debian package 'postgresql'; "
                                "`make test` installs it when run as root)")
    return Path(found[-1]).parent


class PostgresServer:
    def __init__(self):
        self.bin = binaries()
        self.user = None  # the account the server runs as; None: ourselves
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                raise ServerUnavailable("running as root and there is no 'postgres' account to run the "
                                        "server as (Debian's package 'postgresql' makes it)") from None
        self.dir = Path(tempfile.mkdtemp(prefix="rnnquiz-pg-"))
        self.data, self.socket = self.dir / "data", self.dir / "socket"
        self.socket.mkdir()
        if self.user:
            for path in (self.dir, self.socket):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        self.started = False
        self.databases = 0

    def _run(self, *cmd):
        prefix = ["runuser", "-u", self.user.pw_name, "--"] if self.user else []
        done = subprocess.run([*prefix, *map(str, cmd)], capture_output=True, text=True, cwd=self.dir)
        if done.returncode != 0:
            raise ServerUnavailable(f"`{' '.join(map(str, cmd))}` failed: {(done.stderr or done.stdout)[-800:]}")
        return done

    def start(self) -> PostgresServer:
        self._run(self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-instructions")
        # the socket only, in our folder (mode 0700: the server's account and root alone reach it)
        options = f"-c listen_addresses='' -c unix_socket_directories='{self.socket}' -c fsync=off " \
                  "-c max_connections=200"
        self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.dir / "server.log", "-o", options, "-w",
                  "-t", "60", "start")
        self.started = True
        self.sql("postgres", f"CREATE ROLE {ROLE} LOGIN")
        return self

    def sql(self, database: str, statement: str, params=None):
        """One statement as the server's superuser; its rows, if it returns any."""
        import psycopg
        with psycopg.connect(host=str(self.socket), user="postgres", dbname=database, autocommit=True) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else None

    def new_database(self, name: str | None = None) -> str:
        """A new, empty database owned by the tests' role: its SQLAlchemy URL."""
        self.databases += 1
        name = name or f"gradebook{self.databases}"
        self.sql("postgres", f"CREATE DATABASE {name} OWNER {ROLE}")
        return self.url(name)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{ROLE}@/{database}?host={self.socket}"

    def stop(self):
        try:
            if self.started:
                self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
