"""RET sessions ("RET-overleg"): planning, chairing live, decisions with the mandate check,
actions, minutes (capability: capability.py). Two blueprints: `meetings` (/overleggen) and
`actions` (/acties, "Mijn acties")."""
