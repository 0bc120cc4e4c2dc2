"""``grader service init`` and ``tokens``: the course folder, its schema from the migrations, hashed tokens."""

from __future__ import annotations

import csv

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect, select

from grader.cli import main
from grader.service import policy
from grader.service.models import Aufgabe, Base, Student
from grader.service.tokens import token_hash

from .conftest import ROSTER


def test_the_migrations_make_exactly_the_models_schema(course):
    with course.opened.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert {"students", "aufgaben", "handins", "gradings", "alembic_version"} <= tables


def test_init_writes_defaults_that_let_a_course_start_at_once(course):
    read = policy.read(course.data / "course.toml")
    first = read.policies[1]
    assert (first.deadline, first.attempts, first.cooldown_minutes) == (None, None, 0)
    assert (first.late, first.hidden_before_deadline, first.counts) == ("refuse", "verdict", "last")
    with course.opened.session() as db:
        row = db.get(Aufgabe, 1)
        assert row is not None and row.opens == first.opens and row.deadline is None
        students = db.scalars(select(Student).order_by(Student.key)).all()
    assert [s.key for s in students] == ["1001", "1002", "1003", "lehrende"]
    assert students[0].email == "anna@example.org" and students[0].name == "Anna Müller"


def test_tokens_are_stored_only_as_their_hash_and_a_new_csv_replaces_them(course, tmp_path):
    with course.opened.session() as db:
        hashes = {s.key: s.token_hash for s in db.scalars(select(Student))}
    assert hashes["1001"] == token_hash(course.tokens["1001"])
    assert hashes["lehrende"] == token_hash(course.instructor)
    if not course.opened.engine.url.drivername.startswith("postgresql"):
        stored = (course.data / "service.db").read_bytes()
        assert course.tokens["1001"].encode() not in stored and course.instructor.encode() not in stored
    runner = CliRunner()
    done = runner.invoke(main, ["service", "tokens", str(course.data), "--out", str(tmp_path / "again.csv"), "--url", "https://abgabe.example.org/"])
    assert done.exit_code == 0, done.output
    with (tmp_path / "again.csv").open(encoding="utf-8-sig") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == ["name", "email", "id_number", "token", "link"]
    anna = next(r for r in rows if r["id_number"] == "1001")
    assert anna["link"] == f"https://abgabe.example.org/anmelden#{anna['token']}" and anna["email"] == "anna@example.org"
    with course.opened.session() as db:
        assert db.scalar(select(Student.token_hash).where(Student.key == "1001")) == token_hash(anna["token"])


def test_init_from_the_command_line_prints_the_instructors_token_and_refuses_a_second_course(tmp_path):
    roster = tmp_path / "participants.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(main, ["service", "init", str(tmp_path / "c"), "--roster", str(roster), "--aufgaben", "1,2"])
    assert done.exit_code == 0, done.output
    token = done.output.split("gespeichert wird nur sein Hash): ")[1].split()[0]
    assert set(policy.read(tmp_path / "c" / "course.toml").policies) == {1, 2}
    again = runner.invoke(main, ["service", "init", str(tmp_path / "c"), "--roster", str(roster)])
    assert again.exit_code == 7 and "schon ein Kurs" in again.output
    assert token not in (tmp_path / "c" / "course.toml").read_text(encoding="utf-8")


def test_an_edited_course_toml_reaches_the_database_at_the_next_start(course):
    text = (course.data / "course.toml").read_text(encoding="utf-8")
    text = text.replace('deadline = ""', "deadline = 2026-12-24T23:59:00+01:00").replace('attempts = "unlimited"', "attempts = 3")
    (course.data / "course.toml").write_text(text, encoding="utf-8")
    with course.reopen().session() as db:
        row = db.get(Aufgabe, 1)
    assert row is not None and row.attempts == 3
    assert row.deadline is not None and row.deadline.isoformat() == "2026-12-24T22:59:00+00:00"


def test_a_database_of_the_first_schema_is_migrated_up_with_its_rows(tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from grader.service.database import MIGRATIONS, migrate

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text("INSERT INTO students (name, email, id_number, key, instructor) VALUES ('A', '', '', 'k', 0)"))
    migrate(engine)
    with engine.connect() as connection:
        assert "extensions" in inspect(connection).get_table_names()
        assert connection.execute(text("SELECT key FROM students")).scalar() == "k"
    engine.dispose()
