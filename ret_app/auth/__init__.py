"""Sign-in (password, then TOTP or a recovery code), sign-out, activation, re-authentication
(capability: capability.py)."""
