"""Geo-dispatch: where engineers and jobs are, who should go, in what order, and when.

The geometry lives in ``wellspring.geo`` (geodesy, cells, travel times, the VROOM solver);
this package holds the business rules and the reads and writes around them.
"""
