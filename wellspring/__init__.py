"""Wellspring: the field-service backend for leased water purifiers."""

__version__ = "0.1.0"
