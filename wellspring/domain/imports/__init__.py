"""Bulk import of master data and legacy records: validate every row first, then apply the
valid ones in batches through the rules here. Reading the file (CSV, XLSX) is not done here:
callers hand in a header row and rows of text (``wellspring.tabular``)."""
