"""Benchmarks of the served API; see bench/README.md."""
