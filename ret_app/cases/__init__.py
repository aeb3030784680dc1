"""Cases: referral, intake, lifecycle, screening."""
