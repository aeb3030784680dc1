"""The read-only API for the regional monitor: bearer tokens (issued, rotated and revoked by the
functional administrator), the JSON endpoints under /api/v1 and their OpenAPI 3.1 document."""
