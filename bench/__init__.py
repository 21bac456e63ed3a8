"""Benchmarks (not tests): run by hand, report ratios measured side by side in one run."""
