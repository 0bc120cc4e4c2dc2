"""LTI 1.3 with Moodle: the tool's keys, the platform's registration, the launch's storage.

PyLTI1p3 does the protocol (the maintained fork ``pylti1p3next``, imported as
``pylti1p3``); this module gives it what it reads: the registration from the
database, the tool's key pair from the course folder (the private key never
leaves ``DATA/lti``), and a store for the login's state and nonce in the
database, so that the launch, a cross-site POST from Moodle, needs no session
cookie of ours.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfDict
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from grader.service.models import LtiPlatform, LtiValue, now

KEY_BITS = 2048
KEY_SET_LIFETIME = 3600
"""Seconds a fetched key set of the platform is used before it is fetched again."""
LOGIN_LIFETIME = 600
"""Seconds between Moodle's login request and its launch (state and nonce live that long)."""


@dataclass(frozen=True)
class ToolKeys:
    private_pem: str
    public_pem: str

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [dict(Registration.get_jwk(self.public_pem))]}


def tool_keys(data: Path) -> ToolKeys:
    """The tool's RSA key pair in ``DATA/lti`` (made the first time: ``grader service init``)."""
    folder = Path(data) / "lti"
    private, public = folder / "private.pem", folder / "public.pem"
    if not private.exists():
        from jwcrypto.jwk import JWK  # type: ignore[import-untyped]

        folder.mkdir(mode=0o700, exist_ok=True)
        key = JWK.generate(kty="RSA", size=KEY_BITS)
        descriptor = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(key.export_to_pem(private_key=True, password=None))
        public.write_bytes(key.export_to_pem(private_key=False))
    return ToolKeys(private.read_text(encoding="ascii"), public.read_text(encoding="ascii"))


def deployments(platform: LtiPlatform) -> list[str]:
    return [line.strip() for line in platform.deployment_ids.splitlines() if line.strip()]


def tool_conf(platforms: list[LtiPlatform], keys: ToolKeys) -> ToolConfDict:
    """PyLTI1p3's tool configuration for ``platforms`` (one issuer may have several client ids)."""
    config: dict[str, list[dict[str, Any]]] = {}
    for platform in platforms:
        config.setdefault(platform.issuer, []).append({
            "default": not config.get(platform.issuer),
            "client_id": platform.client_id,
            "auth_login_url": platform.auth_login_url,
            "auth_token_url": platform.auth_token_url,
            "key_set_url": platform.key_set_url,
            "key_set": None,
            "deployment_ids": deployments(platform),
        })
    conf = ToolConfDict(config)  # type: ignore[arg-type]
    for platform in platforms:
        conf.set_private_key(platform.issuer, keys.private_pem, client_id=platform.client_id)
        conf.set_public_key(platform.issuer, keys.public_pem, client_id=platform.client_id)
    return conf


FIELDS = {
    "issuer": "Plattform-ID",
    "client_id": "Client-ID",
    "deployment_ids": "Deployment-ID",
    "auth_login_url": "URL für Authentifizierungsanfragen",
    "auth_token_url": "URL für Zugriffstoken",
    "key_set_url": "URL des öffentlichen Schlüsselsatzes",
    "context_id": "Kurs-ID in Moodle",
}
"""The registration's fields, named as Moodle's "Tool configuration details" name them (German Moodle)."""


class RegistrationError(ValueError):
    """A field of the platform's registration is missing or not an address (German)."""


def register(db: Session, values: dict[str, str]) -> LtiPlatform:
    """Store the platform's registration (a second one with the same issuer and client id replaces it)."""
    cleaned = {name: " ".join(str(values.get(name, "")).split()) for name in FIELDS}
    # Deployment ids: one per line, as the form's field or the command's options give them (commas too).
    cleaned["deployment_ids"] = "\n".join(str(values.get("deployment_ids", "")).replace(",", " ").split())
    absent = [FIELDS[name] for name, value in cleaned.items() if not value]
    if absent:
        raise RegistrationError(f"Es fehlt: {', '.join(absent)}.")
    for name in ("issuer", "auth_login_url", "auth_token_url", "key_set_url"):
        if not cleaned[name].startswith(("https://", "http://")):
            raise RegistrationError(f"{FIELDS[name]} muss eine Adresse mit https:// sein, nicht {cleaned[name]!r}.")
    platform = db.scalar(
        select(LtiPlatform).where(LtiPlatform.issuer == cleaned["issuer"], LtiPlatform.client_id == cleaned["client_id"])
    ) or LtiPlatform(memberships_url="")
    for name, value in cleaned.items():
        setattr(platform, name, value)
    db.add(platform)
    db.flush()
    return platform


class DatabaseStorage(LaunchDataStorage[Any]):
    """PyLTI1p3's launch data storage in the ``lti_values`` table (one session per call).

    No session cookie: the state is bound to the browser by PyLTI1p3's own
    state cookie, the nonce by the platform's signature; a used nonce is deleted
    (``consume``), so a launch cannot be replayed.
    """

    def __init__(self, opened) -> None:
        super().__init__()
        self.opened = opened

    def get_session_cookie_name(self) -> str | None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        with self.opened.session() as db:
            row = db.get(LtiValue, self._prepare_key(key))
            if row is None or (row.expires is not None and row.expires < now()):
                return None
            return json.loads(row.value)

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        lifetime = exp or LOGIN_LIFETIME
        with self.opened.session() as db, db.begin():
            db.execute(delete(LtiValue).where(LtiValue.expires < now()))
            row = db.get(LtiValue, self._prepare_key(key)) or LtiValue(key=self._prepare_key(key))
            row.value, row.expires = json.dumps(value), now() + timedelta(seconds=lifetime)
            db.add(row)

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def consume(self, key: str) -> bool:
        """Delete ``key``; whether it was there (two launches with one nonce: only one gets True)."""
        with self.opened.session() as db, db.begin():
            return db.execute(delete(LtiValue).where(LtiValue.key == self._prepare_key(key))).rowcount == 1

    def forget_key_sets(self) -> None:
        with self.opened.session() as db, db.begin():
            db.execute(delete(LtiValue).where(LtiValue.key.like("%key-set-url-%")))

