"""Benchmarks: `make bench` runs `python -m bench.run` (see docs/performance.md)."""
