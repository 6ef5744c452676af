"""The numbers the company runs on (domain.md, "What the company measures").

One small module per report family, each a use case taking the actor, an inclusive range of
Asia/Shanghai days and an optional branch (``period.Period``); every row is read through the
existing scope rules (``policy``), so a clerk's figures are their branch's and an agent's its
own customers'. ``tables`` turns any report into rows for the CSV/XLSX exports, ``monthly``
assembles the management summary, ``usage`` and ``planner`` schedule maintenance from usage.
"""
