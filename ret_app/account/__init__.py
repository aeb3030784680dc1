"""My account: the user's own sessions, password and recovery codes (capability: capability.py)."""
