"""An access token's signature is verified once per process, but its expiry at every request:
a remembered token that has since expired is refused."""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

import jwt
import pytest

from wellspring.domain import auth
from wellspring.domain.errors import NotAuthenticated


def _token(secret: str, exp: float, **claims: Any) -> str:
    body = {"sub": "u1", "sid": "s1", "typ": "access", "exp": int(exp)} | claims
    return jwt.encode(body, secret, algorithm="HS256")


def test_a_remembered_token_is_refused_once_it_has_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = secrets.token_urlsafe(32)
    config = auth.AuthConfig(secret_key=secret)
    now = time.time()
    token = _token(secret, now + 60)
    auth._verified_claims(token, secret)  # verified and remembered while it is valid
    hits = auth._verified_claims.cache_info().hits
    monkeypatch.setattr(time, "time", lambda: now + 61)
    with pytest.raises(NotAuthenticated):  # before any database read: no session needed
        asyncio.run(auth.authenticate(None, config=config, token=token))  # type: ignore[arg-type]
    assert auth._verified_claims.cache_info().hits == hits + 1  # it was the remembered one


def test_a_token_signed_with_another_key_or_of_another_kind_is_refused() -> None:
    secret = secrets.token_urlsafe(32)
    config = auth.AuthConfig(secret_key=secret)
    later = time.time() + 600
    for token in (_token(secrets.token_urlsafe(32), later), _token(secret, later, typ="refresh")):
        with pytest.raises(NotAuthenticated):
            asyncio.run(auth.authenticate(None, config=config, token=token))  # type: ignore[arg-type]
