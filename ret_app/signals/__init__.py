"""Gap signals: the rule that raises them from the outcomes' gaps (rule.py: a nightly job and a reaction
to a recorded or corrected outcome), the chair's signal list and signal page (lifecycle.py, services.py),
the gap overview with the collective's evidence beside it (overview.py) and the signal report for a period
(report.py: PDF and CSV)."""
