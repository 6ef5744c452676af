"""The hotline's tools: missed calls, call backs, the knowledge base (issue 18)."""
