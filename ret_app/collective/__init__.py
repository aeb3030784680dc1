"""The region's HSWV collective: each member provider's profile (expertise areas, care types offered,
age range, crisis availability, contact persons) and its capacity register (places per care type,
every update kept, stale after the region's number of days), with the region-wide overview for the
RET (capability: capability.py)."""
