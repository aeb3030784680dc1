"""Operations: the load balancer's health check, and backup and restore of the database with the attachment
store (a restore drill in tests/test_backup.py)."""
