"""The demo's sign-in accounts: the ones the docs and the tests name, all with one password."""

from __future__ import annotations

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented password of the demo accounts
DEMO_USERNAMES = (
    "admin",
    "hq",
    "hotline",
    "clerk-sh",
    "clerk-bj",
    "tech-sh-1",
    "tech-sh-2",
    "tech-bj-1",
    "sales-sh-1",
    "agent-1",
    "customer-1",
)
