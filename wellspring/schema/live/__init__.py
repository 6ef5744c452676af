"""Live updates: the GraphQL subscriptions (issue 16 §3)."""
