"""The service's commands: ``grader service init|tokens`` and ``grader serve``.

Flask, SQLAlchemy and waitress are the ``service`` extra: they are imported
when a command runs, so the grader works without them; hence the options'
defaults repeat the functions' (tests/core/test_cli_defaults.py holds them equal).
"""

from __future__ import annotations

from pathlib import Path

import click

from grader.backends import CHOICES
from grader.common.errors import EXIT_USAGE, GraderError, handle_errors
from grader.report.i18n import LANGUAGES

MISSING = "Für den Grading-Dienst fehlen Pakete. Installieren mit: pip install 'gnn-grader[service]'"


class MissingServiceExtra(GraderError):
    """The ``service`` extra is not installed."""

    exit_code = EXIT_USAGE

    def message(self) -> str:
        return MISSING

    def hint(self, options) -> str:
        return f"es fehlt {self}."


def _needs_service_extra() -> None:
    try:
        import flask  # noqa: F401
        import pylti1p3  # noqa: F401
        import sqlalchemy  # noqa: F401
        import waitress  # noqa: F401
    except ImportError as exc:
        raise MissingServiceExtra(exc.name) from None


@click.group("service")
def service_group() -> None:
    """Den Grading-Dienst einrichten: Kursordner, Tokens."""


@service_group.command("init")
@click.argument("data", type=click.Path(file_okay=False, path_type=Path))
@click.option("--roster", "roster_paths", multiple=True, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Moodles Teilnehmerliste (CSV mit E-Mail-Adresse oder ID-Nummer).")
@click.option("--aufgaben", default=None, help="Nummern der Aufgaben, z. B. 1,2,3 (Standard: alle).")
@click.option("--database", default="", metavar="URL", help="postgresql://… statt der eingebetteten SQLite-Datenbank.")
@handle_errors
def init_command(data: Path, roster_paths: tuple[Path, ...], aufgaben: str | None, database: str) -> None:
    """Einen Kursordner DATA anlegen: course.toml mit Standardregeln, Datenbank, Studierende aus der Liste."""
    _needs_service_extra()
    from grader.service.course import init

    try:
        numbers = [int(n) for n in (aufgaben or "").split(",") if n.strip()] or None
    except ValueError:
        raise click.BadParameter("Nummern mit Komma getrennt, z. B. 1,2,3.", param_hint="--aufgaben") from None
    token = init(data=data, roster_paths=roster_paths, aufgaben=numbers, database=database)
    click.echo(f"Kurs angelegt: {data / 'course.toml'} (Regeln dort anpassen).")
    click.echo(f"Token der Lehrenden (nur jetzt sichtbar, gespeichert wird nur sein Hash): {token}")
    click.echo(f"Tokens der Studierenden: grader service tokens {data} --out tokens.csv")


@service_group.command("tokens")
@click.argument("data", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path), help="CSV für einen Serienbrief.")
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="Adresse des Dienstes für die Links.")
@handle_errors
def tokens_command(data: Path, out: Path, url: str) -> None:
    """Jedem Studierenden einen neuen Token geben (alte werden ungültig) und als CSV schreiben."""
    _needs_service_extra()
    from grader.service.course import write_tokens

    count = write_tokens(data=data, out=out, url=url)
    click.echo(f"{count} Tokens in {out} (Spalten name, email, id_number, token, link); frühere Tokens gelten nicht mehr.")


@service_group.command("export")
@click.argument("data", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--aufgabe", "-a", type=int, required=True, help="Nummer der Aufgabe.")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path), help="Ausgabeordner wie bei `grader run`.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="de", show_default=True, help="Sprache der Berichte.")
@click.option("--release-hidden", is_flag=True, help="Verdeckte Fälle nach ihrem Freigabedatum im Bericht zeigen.")
@handle_errors
def export_command(data: Path, aufgabe: int, out: Path, lang: str, release_hidden: bool) -> None:
    """Die zählenden Versuche einer Aufgabe nach OUT schreiben, wie `grader run` es tut (results.json, Berichte, index.html, Notenlisten)."""
    _needs_service_extra()
    from grader.service.export import export

    run = export(data=data, aufgabe=aufgabe, out=out, lang=lang, release_hidden=release_hidden)
    state = "" if run.complete else " (unvollständig: Abgaben warten noch auf ihre Bewertung)"
    click.echo(f"{len(run.submissions)} Abgaben nach {out} geschrieben{state}. Übersicht: {out / 'index.html'}")


@service_group.command("lti")
@click.argument("data", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--issuer", required=True, help="Plattform-ID aus Moodles Konfigurationsdetails.")
@click.option("--client-id", required=True, help="Client-ID aus Moodle.")
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True, help="Deployment-ID aus Moodle (mehrfach möglich).")
@click.option("--auth-login-url", required=True, help="URL für Authentifizierungsanfragen.")
@click.option("--auth-token-url", required=True, help="URL für Zugriffstoken.")
@click.option("--key-set-url", required=True, help="URL des öffentlichen Schlüsselsatzes.")
@click.option("--context-id", required=True, help="Kurs-ID in Moodle (die Zahl in course/view.php?id=…).")
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="Adresse des Dienstes, für die URLs, die in Moodle einzutragen sind.")
@handle_errors
def lti_command(data: Path, issuer: str, client_id: str, deployment_ids: tuple[str, ...], auth_login_url: str, auth_token_url: str, key_set_url: str, context_id: str, url: str) -> None:
    """Die Moodle-Plattform (LTI 1.3) eintragen, aus der Studierende und Lehrende den Dienst öffnen."""
    _needs_service_extra()
    from grader.service.lti import RegistrationError
    from grader.service.lti_sync import register_platform

    try:
        register_platform(
            data=data, issuer=issuer, client_id=client_id, deployment_ids=deployment_ids, auth_login_url=auth_login_url,
            auth_token_url=auth_token_url, key_set_url=key_set_url, context_id=context_id,
        )
    except RegistrationError as exc:
        raise click.BadParameter(str(exc)) from None
    base = url.rstrip("/")
    click.echo(f"Moodle-Plattform {issuer} eingetragen. In Moodle beim Tool: Tool-URL und Umleitungs-URI {base}/lti/launch, "
               f"Login-Initiierung {base}/lti/login, Schlüsselsatz-URL {base}/lti/jwks.json.")


@service_group.command("roster")
@click.argument("data", type=click.Path(exists=True, file_okay=False, path_type=Path))
@handle_errors
def roster_command(data: Path) -> None:
    """Die Teilnehmerliste aus Moodle holen (LTI Names and Role Provisioning), damit die Übersicht alle nennt."""
    _needs_service_extra()
    from grader.service.lti_sync import roster

    pulled = roster(data=data)
    click.echo(f"Teilnehmerliste aus Moodle: {pulled.learners} Studierende, davon {pulled.new} neu.")


@click.command("serve")
@click.argument("data", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--sandbox", type=click.Choice(CHOICES), default="auto", show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(1), default=1, show_default=True, help="Abgaben gleichzeitig.")
@click.option("--cluster", envvar="GRADER_CLUSTER", default=None, metavar="ADRESSE", help="Auf den Workern dieses Dask-Schedulers bewerten.")
@click.option("--lease", "lease_seconds", type=click.FloatRange(3), default=60.0, show_default=True, help="Sekunden, nach denen ein abgebrochenes Bewerten neu beginnt.")
@click.option("--insecure-cookies", is_flag=True, help="Sitzungs-Cookies auch über HTTP senden (nur zum Ausprobieren; im Betrieb gehört HTTPS davor).")
@click.option("--demo", is_flag=True, help="Ohne DATA: ein Wegwerf-Kurs mit den mitgelieferten Beispielabgaben.")
@handle_errors
def serve_command(data: Path | None, host: str, port: int, sandbox: str, jobs: int, cluster: str | None, lease_seconds: float, insecure_cookies: bool, demo: bool) -> None:
    """Den Grading-Dienst für den Kursordner DATA starten (Strg-C oder SIGTERM beendet ihn)."""
    _needs_service_extra()
    from grader.service.server import serve

    if (data is None) == (not demo):
        raise click.UsageError("Entweder einen Kursordner DATA angeben oder --demo.")

    def run(folder: Path) -> None:
        serve(
            data=folder, host=host, port=port, sandbox=sandbox, jobs=jobs, cluster=cluster, lease_seconds=lease_seconds,
            secure_cookies=not insecure_cookies, log=lambda m: click.echo(m, err=True),
        )

    if data is not None:
        run(data)
        return
    import tempfile

    from grader.service.demo import make_demo

    with tempfile.TemporaryDirectory(prefix="gnn-demo-") as folder:
        course, instructor, links = make_demo(Path(folder), f"http://{host}:{port}")
        click.echo("Demo-Kurs (wird beim Beenden gelöscht). Als Studierende anmelden:")
        for name, link in links.items():
            click.echo(f"  {name}: {link}")
        click.echo(f"Token der Lehrenden (API): {instructor}")
        click.echo(f"  curl -H 'Authorization: Bearer {instructor}' 'http://{host}:{port}/api/v1/results?aufgabe=1'")
        run(course)


def add_service_commands(main: click.Group) -> None:
    main.add_command(service_group)
    main.add_command(serve_command)
