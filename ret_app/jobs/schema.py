"""The job queue's own tables (procrastinate's, PostgreSQL only; migration 0012_jobs): part of the
schema, but not of our models, so the model check (Alembic's autogenerate) leaves them out. So are the
trigram indexes of the searches (PostgreSQL only, on expressions; migration 0025_perf): names ending in
`_trgm`."""

PREFIX = "procrastinate_"
TRIGRAM_SUFFIX = "_trgm"


def include_name(name, type_, parent_names) -> bool:
    """Alembic's `include_name` hook: everything but the queue's tables (and their indexes) and the
    trigram indexes."""
    if type_ == "table":
        return not (name or "").startswith(PREFIX)
    if type_ == "index" and (name or "").endswith(TRIGRAM_SUFFIX):
        return False
    if type_ in ("index", "unique_constraint", "foreign_key_constraint"):
        return not (parent_names.get("table_name") or "").startswith(PREFIX)
    return True
