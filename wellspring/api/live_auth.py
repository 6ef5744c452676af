"""Who opens a live connection: the ``connection_init`` payload's credentials.

ONE function, so another way in (a customer's tracking link: ``{"trackingToken": ...}``) is
one more branch here and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from wellspring.domain import auth
from wellspring.domain.actor import Actor
from wellspring.domain.errors import NotAuthenticated


async def authenticate(
    session: AsyncSession, payload: Mapping[str, Any], *, config: auth.AuthConfig
) -> Actor | None:
    """The actor of ``{"Authorization": "Bearer <jwt>"}`` (either case), or None: a missing,
    malformed, expired or revoked token (the connection is then closed with 4401)."""
    header = payload.get("Authorization", payload.get("authorization"))
    if not isinstance(header, str):
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or "\x00" in token:
        return None
    try:
        return await auth.authenticate(session, config=config, token=token.strip())
    except NotAuthenticated:
        return None
