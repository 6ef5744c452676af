"""Offline-first sync for engineers' phones: WatermelonDB's pull/push protocol.

A third door onto the domain, beside GraphQL and the command line: every pushed change runs
through the same domain service a mutation would (docs/sync.md).
"""
