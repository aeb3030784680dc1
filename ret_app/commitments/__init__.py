"""Requests to providers of the HSWV collective, the commitments they become, suggestions of whom to
ask, and a case's crisis back-up."""
