"""Benchmarks run against a dedicated PostgreSQL database (see bench/README.md)."""
