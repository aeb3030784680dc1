"""Functional management: reference data, users, the mandate register, region norms and the audit
search — never case content (capability: capability.py)."""
