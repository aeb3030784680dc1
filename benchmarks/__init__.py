"""`make bench`: the national data set, the measurements and the report (benchmarks/run.py)."""
