"""The in-app inbox and the phone's push registration: a user's own rows only.

Who may run each operation is in ``domain/permissions.py``: every signed-in role has an inbox
and may register a phone; nobody reaches another user's rows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .. import permissions
from ..actor import Actor
from ..errors import DomainError, PermissionDenied
from ..locales import supported_locale
from ..models import Notification, NotificationPreference, PushDevice
from ..models.enums import PushPlatform, PushProvider, PushTokenKind
from ..pagination import Page, SortKey, paginate

MAX_TOKEN = 512
MAX_APP_ID = 128
MAX_MARK = 100


def check(actor: Actor, action: str) -> None:
    """The operation's rule, and a login of the actor's own (the rows are theirs)."""
    if not actor.user_id:
        raise PermissionDenied
    permissions.check(actor, action)


async def my_notifications(
    session: AsyncSession, actor: Actor, *, first: int | None, after: str | None
) -> Page[Notification]:
    """The actor's inbox, newest first."""
    check(actor, "notifications.read")
    stmt = select(Notification).where(Notification.user_id == actor.user_id)
    order = (SortKey(Notification.created_at), SortKey(Notification.id))
    return await paginate(
        session, stmt, order=order, first=first, after=after, row_key=lambda n: (n.created_at, n.id)
    )


async def unread_count(session: AsyncSession, actor: Actor) -> int:
    check(actor, "notifications.read")
    stmt = select(Notification.id).where(
        Notification.user_id == actor.user_id, Notification.read_at.is_(None)
    )
    return len((await session.execute(stmt.limit(1000))).all())


async def mark_read(
    session: AsyncSession,
    actor: Actor,
    *,
    ids: list[str] | None,
    everything: bool,
    now: dt.datetime,
) -> int:
    """Mark the given inbox items (or all) read; ids of other users' items are ignored (they
    look exactly like missing ones). Returns how many changed."""
    check(actor, "notifications.mark_read")
    if not everything and not ids:
        raise DomainError("NOTHING_TO_MARK", field="ids")
    if ids is not None and len(ids) > MAX_MARK:
        raise DomainError("TOO_MANY_ITEMS", field="ids", maximum=MAX_MARK)
    stmt = update(Notification).where(
        Notification.user_id == actor.user_id, Notification.read_at.is_(None)
    )
    if not everything:
        stmt = stmt.where(Notification.id.in_(ids or []))
    result = await session.execute(
        stmt.values(read_at=now), execution_options={"synchronize_session": False}
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def register_device(
    session: AsyncSession,
    actor: Actor,
    *,
    provider: PushProvider,
    token: str | None,
    fid: str | None,
    app_id: str,
    platform: PushPlatform,
    locale: str | None,
    fallback: str = "zh-CN",
) -> PushDevice:
    """Remember where the actor's phone is reached: a registration token, or (FCM only) an
    installation id. A token is one phone's: registering a known token again moves it to this
    user (the phone changed hands or accounts). ``locale`` is the phone's, in any form its
    platform writes (``domain/locales.py``); ``fallback`` (the user's language) when it is left
    out or of a language we do not write in."""
    check(actor, "push_device.register")
    if (token is None) == (fid is None):
        raise DomainError("PUSH_TOKEN_INVALID", field="token")
    if fid is not None and provider is not PushProvider.FCM:
        raise DomainError("PUSH_TOKEN_INVALID", field="fid")
    token_kind = PushTokenKind.FID if fid is not None else PushTokenKind.TOKEN
    token = (fid if fid is not None else token or "").strip()
    if not token or len(token) > MAX_TOKEN or any(c.isspace() for c in token):
        raise DomainError("PUSH_TOKEN_INVALID", field="token")
    if len(app_id) > MAX_APP_ID:
        raise DomainError("INVALID_ARGUMENT", field="app_id")
    locale = supported_locale(locale, fallback)
    device = (
        await session.execute(
            select(PushDevice).where(PushDevice.provider == provider, PushDevice.token == token)
        )
    ).scalar_one_or_none()
    if device is None:
        device = PushDevice(provider=provider, token=token)
        session.add(device)
    device.user_id = actor.user_id
    device.token_kind = token_kind
    device.app_id = app_id.strip()
    device.platform = platform
    device.locale = locale
    await session.flush()
    return device


async def unregister_device(
    session: AsyncSession, actor: Actor, *, provider: PushProvider, token: str
) -> bool:
    """Forget the actor's token (signing out on the phone). Someone else's token is left alone
    and the answer is the same as for an unknown one."""
    check(actor, "push_device.unregister")
    result = await session.execute(
        delete(PushDevice).where(
            PushDevice.provider == provider,
            PushDevice.token == token.strip(),
            PushDevice.user_id == actor.user_id,
        )
    )
    return bool(getattr(result, "rowcount", 0))


async def set_muted(session: AsyncSession, actor: Actor, *, muted: bool) -> None:
    """Opt out of (or back into) non-essential messages: reminders and rating requests."""
    check(actor, "notifications.preferences")
    pref = await session.get(NotificationPreference, actor.user_id)
    if pref is None:
        pref = NotificationPreference(user_id=actor.user_id)
        session.add(pref)
    pref.muted_non_essential = muted
    await session.flush()


async def is_muted(session: AsyncSession, actor: Actor) -> bool:
    check(actor, "notifications.preferences")
    pref = await session.get(NotificationPreference, actor.user_id)
    return bool(pref and pref.muted_non_essential)
