"""Personal tokens: random, shown once, stored only as their SHA-256.

A token has 192 random bits, so a fast hash is enough: nobody can try enough
guesses against a stolen table, and a slow hash would only slow every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
