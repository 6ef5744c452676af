"""Geodesy and, with the geo-dispatch work, geocoding, ETAs and routes. Imports nothing of ours."""
