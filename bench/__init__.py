"""Benchmarks (python -m bench.rsnn_bench)."""
