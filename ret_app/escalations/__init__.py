"""Escalations to the supra-regional network (BOEG, BEN NH, JENN): the escalation with what was tried, the
consent and age guards, its lifecycle, the exchange with the network, and the answer-date watchdog."""
