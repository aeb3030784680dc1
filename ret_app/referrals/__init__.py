"""Referrals (aanmelding): the access team brings in a case — the youth and the question, the family
system, help tried before, consent per person and scope, attachments — and submits it to the RET
(capability: capability.py)."""
