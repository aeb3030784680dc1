"""The case core: the case lifecycle, consent rules, norm clocks, participants, the timeline, the
case list and page, and the chair's intake. Referrals, screening and RET sessions build on it
(capability: capability.py)."""
