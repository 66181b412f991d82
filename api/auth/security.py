"""Password hashing (argon2id) and opaque bearer tokens stored only as keyed hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified when the user does not exist, so that response time does not reveal it.
_DUMMY_HASH = _hasher.hash("blockgrid: no such user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password`` against an argon2 hash in constant-ish time (also for unknown users)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str, secret_key: str) -> bytes:
    """The stored form of a token: HMAC-SHA256 keyed with the server's secret key."""
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).digest()
