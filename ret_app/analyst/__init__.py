"""The analyst's view: suppressed aggregates of their own region (aggregates.py is the one source)."""
