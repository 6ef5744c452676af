"""What an app remembers between requests only to do less work: never state, never an answer.

``db.session_factory`` gives every session of one app the same memo (a dict in the session's
``info``), so two apps side by side remember apart, and nothing in the domain keeps
module-level mutable state. A use case keeps under its own key what makes its next call
cheaper (``dispatch.nearby``: how far the last ring searches of a branch reached); a session
made without the factory has no memo, and the work is done as if nothing were remembered.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

MEMO_KEY = "wellspring.memo"


def memo_of(session: AsyncSession) -> dict[str, Any] | None:
    """The app's memo, or None for a session made without ``db.session_factory``."""
    memo: dict[str, Any] | None = session.info.get(MEMO_KEY)
    return memo
