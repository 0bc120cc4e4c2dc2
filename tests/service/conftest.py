"""A course per test, on SQLite and on a real PostgreSQL (Debian's, started here as a non-root user).

Outside tools (PostgreSQL, chromium-driver) skip their tests where they are
missing; under CI (``CI`` set) a missing one fails instead.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.service.course import Opened, init, open_course, write_tokens

ROOT = Path(__file__).resolve().parents[2]
ROSTER = (
    "First name,Last name,ID number,Email address\n"
    "Anna,Müller,1001,anna@example.org\n"
    "Jonas,Schmidt,1002,jonas@example.org\n"
    "Lena,Weber,1003,lena@example.org\n"
)


def missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Postgres:
    port: int
    process: subprocess.Popen

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server in a temporary folder on 127.0.0.1, stopped by its pid at the end."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        missing("PostgreSQL is not installed (apt-get install postgresql)")
    bin_dir = Path(found[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="gnn-pg-"))
    folder.chmod(0o755)
    user = {}
    if os.geteuid() == 0:  # postgres refuses to run as root
        nobody = pwd.getpwnam("nobody")
        user = {"user": nobody.pw_uid, "group": nobody.pw_gid}
        os.chown(folder, nobody.pw_uid, nobody.pw_gid)
    data = folder / "data"
    env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8", "HOME": str(folder)}
    subprocess.run(
        [bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"],
        check=True, capture_output=True, env=env, cwd=folder, **user,
    )
    port = free_port()
    with (folder / "log").open("w") as log:
        process = subprocess.Popen(
            [bin_dir / "postgres", "-D", data, "-h", "127.0.0.1", "-p", str(port), "-k", folder, "-c", "fsync=off"],
            stdout=subprocess.DEVNULL, stderr=log, env=env, cwd=folder, **user,
        )
    server = Postgres(port, process)
    try:
        _wait_for(server)
        yield server
    finally:
        process.send_signal(signal.SIGINT)  # "fast" shutdown: ends the sessions still open
        process.wait(30)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for(server: Postgres) -> None:
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(server.url("postgres")).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline or server.process.poll() is not None:
                raise
            time.sleep(0.2)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request) -> str:
    """A fresh database's URL ("" is the course folder's SQLite database)."""
    if request.param == "sqlite":
        return ""
    return request.getfixturevalue("postgres").create_database()


@dataclass
class Course:
    data: Path
    opened: Opened
    instructor: str
    tokens: dict[str, str]
    """Student key (ID number) -> token."""

    def reopen(self) -> Opened:
        self.opened.engine.dispose()
        self.opened = open_course(self.data)
        return self.opened


def make_course(folder: Path, database: str = "", aufgaben=(1,)) -> Course:
    roster = folder / "participants.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    data = folder / "course"
    instructor = init(data=data, roster_paths=[roster], aufgaben=list(aufgaben), database=database)
    write_tokens(data=data, out=folder / "tokens.csv")
    import csv

    with (folder / "tokens.csv").open(encoding="utf-8-sig") as stream:
        tokens = {row["id_number"]: row["token"] for row in csv.DictReader(stream)}
    return Course(data, open_course(data), instructor, tokens)


@pytest.fixture
def course(tmp_path, database):
    made = make_course(tmp_path, database)
    yield made
    made.opened.engine.dispose()


@pytest.fixture
def sqlite_course(tmp_path):
    made = make_course(tmp_path)
    yield made
    made.opened.engine.dispose()
