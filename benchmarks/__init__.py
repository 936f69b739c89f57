"""Side-by-side speed scripts (run with ``python -m benchmarks.<name>``)."""
