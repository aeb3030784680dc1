"""Privacy: the region's privacy hub, a case's access log (NEN 7513) with the family's "who looked at my
file" PDF, and the register of processing (GDPR art. 30)."""
