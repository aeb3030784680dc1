"""The integrated screening: contributions per life domain by the case's participants, the youth's
and family's own views, the process director's analysis and advice, finalising, addenda and the
screening report; inviting and removing participants (capability: capability.py)."""
