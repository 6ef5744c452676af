"""Shared GraphQL machinery: context, ids, scalars, connections, loaders, errors, limits."""
