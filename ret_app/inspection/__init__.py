"""Inspection (inzage) and correction requests: the right checked by the age rules, the inspection copy
as a PDF export built from registered sections, corrections as addenda."""
