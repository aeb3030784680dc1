"""The start page (cards registered by every capability) and the language switch (capability:
capability.py)."""
