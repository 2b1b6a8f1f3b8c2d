"""Benchmarks against the reference server (not tests): `python -m benchmarks` prints the figures."""
