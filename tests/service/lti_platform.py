"""An LTI 1.3 platform (a stand-in for Moodle) on 127.0.0.1, built on ``lti1p3platform`` (PyPI).

The protocol is the library's (OIDC login initiation, the signed launch, the
access token for the tool's client assertion, the AGS score and NRPS
membership endpoints with their token checks); here only the web glue and the
knobs a test turns: sign with another key, another audience, an expired
token, another deployment, a gradebook that is down.
"""

from __future__ import annotations

import threading
import typing as t
import uuid
from dataclasses import dataclass, field

from flask import Flask, jsonify, redirect
from flask import request as flask_request
from jwcrypto.jwk import JWK
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService, NamesRoleProvisioningService
from markupsafe import escape
from werkzeug.serving import make_server

CLIENT_ID = "grader-tool"
DEPLOYMENT = "7"
CONTEXT = "42"
ROLES = {
    "learner": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
    "instructor": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
    "admin": ["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator", "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty"],
}


def new_key() -> str:
    return JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None).decode()


def public_of(private_pem: str) -> str:
    return JWK.from_pem(private_pem.encode()).export_to_pem(private_key=False).decode()


@dataclass
class Knobs:
    """How the next launch is made (a test sets them, the launch reads them)."""

    user: str = "u-anna"
    name: str = "Anna Müller"
    email: str = "anna@example.org"
    role: str = "learner"
    context: str = CONTEXT
    link: str = "link-1"
    aufgabe: str | None = "1"
    sign_with_other_key: bool = False
    audience: str | None = None
    also_for: str | None = None
    """A second audience, named as the party the token is for (``azp``)."""
    deployment: str | None = None
    lifetime: int = 300
    message_type: str | None = None


@dataclass
class Platform:
    tool: str
    """The tool's base URL (``grader serve``)."""
    url: str = ""
    key: str = field(default_factory=new_key)
    other_key: str = field(default_factory=new_key)
    knobs: Knobs = field(default_factory=Knobs)
    launches: dict[str, Knobs] = field(default_factory=dict)
    scores: list[dict] = field(default_factory=list)
    members: list[dict] = field(default_factory=list)
    gradebook_down: bool = False
    tool_jwks: dict | None = None
    """The tool's key set as given, for tests without the tool's server (else fetched from it)."""
    _server: t.Any = None

    def registration(self) -> Registration:
        registration = Registration()
        registration.set_iss(self.url).set_client_id(CLIENT_ID).set_deployment_id(DEPLOYMENT)
        registration.set_oidc_login_url(f"{self.tool}/lti/login").set_launch_url(f"{self.tool}/lti/launch")
        registration.set_tool_key_set_url(f"{self.tool}/lti/jwks.json")
        if not self.tool and self.tool_jwks:
            registration.set_tool_key_set(self.tool_jwks)  # type: ignore[arg-type]
        registration.set_platform_public_key(public_of(self.key)).set_platform_private_key(self.key)
        return registration

    def registration_fields(self) -> dict[str, str]:
        """What Moodle's "Tool configuration details" would show, by the service's field names."""
        return {
            "issuer": self.url, "client_id": CLIENT_ID, "deployment_ids": DEPLOYMENT,
            "auth_login_url": f"{self.url}/auth", "auth_token_url": f"{self.url}/token",
            "key_set_url": f"{self.url}/jwks", "context_id": CONTEXT,
        }

    def start_url(self, **knobs) -> str:
        """The address a Moodle activity's link would have: it begins the launch with these knobs."""
        hint = uuid.uuid4().hex
        self.launches[hint] = Knobs(**{**self.knobs.__dict__, **knobs})
        return f"{self.url}/start/{hint}"

    def start(self) -> Platform:
        app = make_app(self)
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()


class Conf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: t.Any) -> None:
        self.platform: Platform = kwargs["platform"]

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        return self.platform.registration()


class FlaskRequest(Request):
    def build_metadata(self, request: t.Any) -> TRequest:
        return {
            "method": request.method, "form_data": request.form.to_dict(), "get_data": request.args.to_dict(),
            "headers": request.headers, "content_type": request.content_type, "path": request.path,
            "json": request.get_json(silent=True) if request.is_json else None,
        }


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str):
        return redirect(url)


class Launch(LTIAdvantageMessageLaunchAbstract):
    def __init__(self, request: Request, conf: Conf, platform: Platform):
        super().__init__(request, conf)
        self.platform = platform

    def prepare_launch(self, preflight_response: dict[str, t.Any]) -> None:
        knobs = self.platform.launches[preflight_response["lti_message_hint"]]
        self.set_user_data(knobs.user, ROLES[knobs.role], knobs.name, knobs.email)
        self.set_launch_context_claim(knobs.context, context_title="Grundlagen Neuronale Netze")
        self.set_resource_link_claim(knobs.link, title=f"Testat Aufgabe {knobs.aufgabe}")
        if knobs.aufgabe is not None:
            self.set_custom_parameters_claim({"aufgabe": knobs.aufgabe})
        base = self.platform.url
        self.set_ags(f"{base}/ags/{knobs.context}/lineitems", f"{base}/ags/{knobs.context}/lineitems/{knobs.link}/lineitem")
        self.set_nrps(f"{base}/nrps/{knobs.context}/memberships")
        self.set_id_token_expiration(knobs.lifetime)
        claims: dict[str, t.Any] = {}
        if knobs.audience:
            claims.update(aud=knobs.audience, azp=knobs.audience)
        if knobs.also_for:
            claims.update(aud=[CLIENT_ID, knobs.also_for], azp=knobs.also_for)
        if knobs.deployment:
            claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = knobs.deployment
        if knobs.message_type:
            claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] = knobs.message_type
        self.set_extra_claims(claims)
        if knobs.sign_with_other_key:
            registration = self.platform.registration()
            registration.set_platform_private_key(self.platform.other_key).set_platform_public_key(public_of(self.platform.other_key))
            self._registration = registration

    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> str:
        return (
            f'<!DOCTYPE html><html><body><form method="post" id="launch" action="{escape(launch_data["launch_url"])}">'
            f'<input type="hidden" name="id_token" value="{escape(launch_data["id_token"])}">'
            f'<input type="hidden" name="state" value="{escape(launch_data["state"])}">'
            '<button type="submit">Weiter</button></form>'
            '<script>document.getElementById("launch").submit();</script></body></html>'
        )


class Grades(AssignmentsGradesService):
    platform: Platform

    def update_score(self, line_item_id: str, score: t.Any) -> UpdateScoreStatus:
        self.platform.scores.append({"lineitem": line_item_id, **score})
        return UpdateScoreStatus.SUCCESS

    def find_lineitems(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return {"content": [], "has_next": False}

    def find_lineitem(self, line_item_id: str) -> t.Any:
        raise NotImplementedError

    def create_lineitem(self, creation_data: t.Any) -> t.Any:
        raise NotImplementedError

    def update_lineitem(self, update_data: t.Any) -> t.Any:
        raise NotImplementedError

    def delete_lineitem(self, line_item_id: str) -> None:
        raise NotImplementedError

    def get_results(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return {"content": [], "has_next": False}


class Members(NamesRoleProvisioningService):
    platform: Platform
    context_id: str

    def get_member_data_page(self, page: int = 1, limit: int | None = None, role: str | None = None, since: str | None = None) -> t.Any:
        return {"content": [dict(m) for m in self.platform.members], "has_next": False}

    def get_context_by_id(self) -> Context:
        return Context(id=self.context_id, label="GNN", title="Grundlagen Neuronale Netze")


def respond(response) -> t.Any:
    body = jsonify(response.result) if response.result is not None else jsonify(message=response.message)
    body.status_code = response.code
    body.mimetype = response.media_type
    return body


def make_app(platform: Platform) -> Flask:
    app = Flask("lti_platform")

    def conf() -> Conf:
        made = Conf(platform=platform)
        made.get_registration()
        return made

    @app.get("/start/<hint>")
    def start(hint: str):
        knobs = platform.launches[hint]
        login = Login(FlaskRequest(flask_request), conf())
        login.set_lti_message_hint(hint=hint)
        return login.initiate_login(knobs.user)

    @app.route("/auth", methods=["GET", "POST"])
    def auth():
        return Launch(FlaskRequest(flask_request), conf(), platform).lti_launch()

    @app.get("/jwks")
    def jwks():
        return jsonify(conf().get_jwks())

    @app.post("/token")
    def token():
        return jsonify(conf().get_access_token(flask_request.form.to_dict()))

    @app.post("/ags/<context>/lineitems/<link>/lineitem/scores")
    def scores(context: str, link: str):
        if platform.gradebook_down:
            return jsonify(message="down for maintenance"), 503
        service = Grades(FlaskRequest(flask_request), conf(), f"{platform.url}/ags/{context}/lineitems")
        service.platform = platform
        return respond(service.handle_resp(service.handle_update_score, line_item_id=link))

    @app.get("/nrps/<context>/memberships")
    def memberships(context: str):
        service = Members(FlaskRequest(flask_request), conf(), f"{platform.url}/nrps/{context}/memberships")
        service.platform, service.context_id = platform, context
        return respond(service.handle_resp(service.handle_get_members))

    return app
