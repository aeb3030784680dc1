"""Erasure requests, retention, legal holds, the destruction list and the one eraser."""
