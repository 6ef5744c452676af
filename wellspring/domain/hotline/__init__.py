"""The hotline's tools: missed calls to call back (呼损回拨) and the knowledge base (知识库)."""
