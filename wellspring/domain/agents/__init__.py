"""Dealers (代理商) as tenants: their records, purchase orders from HQ, the territory they may
work in (and the conflicts logged when they step out of it), and the price standards."""
