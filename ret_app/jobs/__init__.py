"""Periodic jobs: a registry that capabilities add their periodic work to (`registry.register`), the
runner that runs one job as one unit of work and remembers its last run, one-off tasks a request
hands over (`tasks`: an export), the PostgreSQL queue and workers (procrastinate, `queue`), the
in-process runner of the SQLite demo (`inprocess`) and the `flask run-job` / `flask jobs-worker`
commands (`capability`)."""
