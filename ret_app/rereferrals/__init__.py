"""Re-referral ("heraanmelding"): earlier cases of the same youth in the region, suggested to the chair
when a case is submitted or taken into intake, confirmed or dismissed by the chair; confirmed links
shown on both case pages; the share of youths referred again within 12 months (measures.py)."""
