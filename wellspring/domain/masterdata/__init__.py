"""Master data: the objects a company configures (branches, warehouses, parts, device models,
engineers, logins, account cards) and the first start of an empty database.

Every use case is keyword-only, takes a session and an actor, never commits, checks
``permissions.RULES`` and writes an audit entry. Nothing here is ever hard-deleted: a record is
deactivated (``is_active``) and keeps its history.
"""
