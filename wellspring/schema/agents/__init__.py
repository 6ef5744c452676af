"""Dealers (issue 18): agents, their purchase orders from HQ, territory conflicts, prices."""
