"""Spreadsheet files in and out: CSV (UTF-8, UTF-8 with BOM, GB18030) and XLSX.

An adapter beside ``schema``: the domain never sees bytes or a vendor library, only a header
row and rows of text cells (imports), or rows of values to write (exports).
"""
