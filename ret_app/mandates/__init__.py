"""Mandates: registering, revoking and reading them; a holder's own mandates (capability:
capability.py)."""
