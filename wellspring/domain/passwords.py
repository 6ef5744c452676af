"""A signed-in user changes their own password (ChangePassword), customers included.

The current password is checked as a sign-in checks it, and a wrong one counts toward the
user's own password-change throttle (``login_throttle.py``'s ``password:<user id>`` key, with
the sign-in's limits, in the same table so it holds across processes): a stolen access token
gives no more guesses at the password behind it than the sign-in form does, and its guesses
never lock the sign-in (the username's and the address's keys), so the thief cannot shut the
real user out of signing in. The new password follows the rules an admin's reset follows. A
change ends the user's other sessions (a thief's included) and keeps the one it was made from.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from . import audit, auth, login_throttle, permissions
from .actor import Actor
from .errors import DomainError, PermissionDenied
from .masterdata.users import check_password, end_sessions
from .models import User, utcnow


async def change_own_password(
    session: AsyncSession,
    actor: Actor,
    *,
    current_password: str,
    new_password: str,
    limits: login_throttle.Limits,
    ip_address: str = "",
) -> User:
    """Set the actor's new password once the current one is proven.

    A wrong current password raises ``WRONG_PASSWORD`` *after* its throttle rows and its
    audit entry are written, so the caller must commit even on that error (as for a
    sign-in); every other refusal comes before anything is written.
    """
    permissions.check(actor, "user.change_own_password")
    if not actor.user_id:
        raise PermissionDenied  # a login's own password, never the system's
    check_password(new_password, "new_password")
    user = await session.get(User, actor.user_id)
    if user is None:  # pragma: no cover - the token check read it a moment ago
        raise PermissionDenied
    now = utcnow()
    throttles = await login_throttle.password_change_rows(session, user.id)
    seconds = login_throttle.seconds_locked(throttles, now)
    if seconds:
        raise DomainError("TOO_MANY_WRONG_PASSWORDS", seconds=seconds)
    verified_hash = user.password_hash
    # argon2 is deliberately slow: off the event loop, and before the user's row is held.
    ok = await asyncio.to_thread(auth.verify_password, verified_hash, current_password)
    new_hash = await asyncio.to_thread(auth.hash_password, new_password) if ok else ""
    # Held until the commit, and read as committed: an admin's reset that came first is seen
    # (the password just verified is then no longer the user's), one that comes later waits.
    await session.execute(
        select(User)
        .where(User.id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if not ok or user.password_hash != verified_hash:
        login_throttle.record_failure(throttles, limits, now)
        audit.record(
            session,
            actor,
            "auth.password_change_failed",
            entity_type="User",
            entity_id=user.id,
            ip_address=ip_address,
        )
        raise DomainError("WRONG_PASSWORD", field="current_password")
    login_throttle.record_success(throttles)
    user.password_hash = new_hash
    # An actor without a session (not a request's) keeps none.
    await end_sessions(session, actor, user.id, keep=actor.session_id)
    await session.flush()
    audit.record(session, actor, "user.password_changed", entity_type="User", entity_id=user.id)
    return user
