"""Benchmarks: scripts that print their figures (see README.md). Not tests."""
