"""Deterministic demo data: branches, staff, agents, customers, devices, cards, tickets, stock.

Everything derives from one ``random.Random(seed)``, ids from ``uuid5`` over a fixed namespace
and times from the demo's clock (``clock.py``). A given ``(scale, seed)`` therefore always
yields the same rows. Rows go in through bulk ``insert()`` in chunks (``writer.py``), all
stamped with one change version drawn for the whole load.

It sits beside the domain, not in it: it reads the domain's models, constants and rules and
the domain never imports it.
"""

from .accounts import DEMO_PASSWORD, DEMO_USERNAMES
from .loader import DemoDataError, DemoSummary, load_demo_data

__all__ = ["DEMO_PASSWORD", "DEMO_USERNAMES", "DemoDataError", "DemoSummary", "load_demo_data"]
