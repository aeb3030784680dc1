"""One-off tasks: work a request hands to the job runner so that the request does not wait for it
(an export that takes a while). The periodic jobs are in `registry`; a task runs once, when asked.

A capability registers its task once, at import:

    from ret_app.jobs import tasks

    tasks.register("export", run_export)

and hands work over in a service with `tasks.defer("export", job_id=job.id)`. The arguments are
ids and short codes (JSON); the task loads what it needs itself. `defer` waits for the current unit
of work to commit (the rows the task reads must be there for another connection), then:

* `queue` (PostgreSQL): a procrastinate job `ret.task.<name>` for the workers (`flask jobs-worker`,
  on any machine), the periodic jobs' queue;
* `thread` (SQLite, the demo of `make run`): a background thread of this process;
* `inline` (the tests): at once, in this process, after the commit, so a test is deterministic;
* `hold` (a test that wants to look at the work before it runs): kept in a list until `run_held()`.

`JOBS_TASKS` in the configuration chooses; unset: `inline` under the tests, `queue` on PostgreSQL,
`thread` otherwise. A task must tolerate running twice or not at all (a worker that died, a lost
hand-over): the exports, say, claim their job with a conditional update and a periodic job picks up
what waits too long.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any, Callable, Optional

from flask import Flask, current_app

from ret_app.extensions import db
from ret_app.kernel import uow

log = logging.getLogger(__name__)

NAME_RE = re.compile(r"^[a-z][a-z0-9-]{1,63}$")
MODES = ("queue", "thread", "inline", "hold")


@dataclass(frozen=True)
class Task:
    name: str
    fn: Callable[..., Any]


_tasks: dict[str, Task] = {}
# How a task reaches the PostgreSQL queue (queue.defer_task, installed by the jobs capability: the
# queue module builds its tasks from this one, so this one does not import it).
_to_queue: Optional[Callable[[Flask, str, dict[str, Any]], Any]] = None


def install_queue(to_queue: Callable[[Flask, str, dict[str, Any]], Any]) -> None:
    global _to_queue
    _to_queue = to_queue


def register(name: str, fn: Callable[..., Any]) -> Task:
    if not NAME_RE.match(name):
        raise ValueError(f"task name {name!r}: use lower-case letters, digits and dashes")
    existing = _tasks.get(name)
    if existing is not None and existing.fn is not fn:
        raise ValueError(f"task {name} registered twice")
    task = _tasks[name] = Task(name, fn)
    return task


def unregister(name: str) -> None:
    _tasks.pop(name, None)


def tasks() -> list[Task]:
    return sorted(_tasks.values(), key=lambda task: task.name)


def get(name: str) -> Task:
    try:
        return _tasks[name]
    except KeyError:
        raise LookupError(f"no task named {name!r}") from None


def mode(app: Flask) -> str:
    chosen = app.config.get("JOBS_TASKS")
    if chosen:
        if chosen not in MODES:
            raise RuntimeError(f"JOBS_TASKS={chosen!r}: choose one of {', '.join(MODES)}")
        return chosen
    if app.config.get("TESTING"):
        return "inline"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return "queue"
    return "thread"


def defer(name: str, **kwargs: Any) -> None:
    """Run the task `name` with `kwargs` (ids, codes) once the current unit of work has committed."""
    get(name)
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    unit = uow.current()
    if unit is None or unit.finished:
        _dispatch(app, name, kwargs)
    else:
        unit.after_commit(lambda: _dispatch(app, name, kwargs))


def run(name: str, kwargs: dict[str, Any]) -> None:
    """Run the task here and now (the runners call this)."""
    task = get(name)
    try:
        task.fn(**kwargs)
    except Exception as error:  # the type only: never personal data in the log
        log.error("task %s failed: %s", name, type(error).__name__)
        raise


def held(app: Flask) -> list[tuple[str, dict[str, Any]]]:
    return app.extensions.setdefault("ret_tasks_held", [])


def run_held(app: Flask) -> int:
    """Run the tasks kept by the `hold` mode, oldest first (the tests)."""
    waiting = held(app)
    count = 0
    while waiting:
        name, kwargs = waiting.pop(0)
        with app.app_context():
            run(name, kwargs)
        count += 1
    return count


def _dispatch(app: Flask, name: str, kwargs: dict[str, Any]) -> None:
    chosen = mode(app)
    if chosen == "inline":
        run(name, kwargs)
    elif chosen == "hold":
        held(app).append((name, dict(kwargs)))
    elif chosen == "thread":
        threading.Thread(target=_run_in_thread, args=(app, name, kwargs), name=f"ret-task-{name}",
                         daemon=True).start()
    else:
        if _to_queue is None:
            raise RuntimeError("no job queue installed (ret_app.jobs.capability installs it)")
        _to_queue(app, name, kwargs)


def _run_in_thread(app: Flask, name: str, kwargs: dict[str, Any]) -> None:
    with app.app_context():
        try:
            run(name, kwargs)
        except Exception:  # logged by run(); the thread ends
            db.session.rollback()
        finally:
            db.session.remove()
