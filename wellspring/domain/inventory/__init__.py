"""Stock: warehouses and bins, the append-only ledger, movements and consumption on jobs.

Every change of a balance is a guarded UPDATE (``quantity >= n`` for a decrement) plus a
ledger entry in the same transaction, so a balance always equals the sum of its entries and
never goes negative on SQLite or PostgreSQL (``SELECT … FOR UPDATE`` locks nothing on SQLite).
"""
