"""Benchmarks of the tenancy layer against plain single-schema Django: see run.py."""
