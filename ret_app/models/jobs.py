"""The periodic jobs' bookkeeping: one row per registered job with its last completed run."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ret_app.models.base import Base, UTCDateTime


class JobRun(Base):
    """The last completed run of one job (ret_app/jobs). Written in the same transaction as the
    job's own changes, so a run that dies before its commit leaves no trace here and runs again.
    Holds no personal data: a name, a day, a moment and counts."""

    __tablename__ = "job_run"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The schedule point the last run was for (None: run by hand, outside the schedule).
    last_period_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    last_day: Mapped[Optional[date]] = mapped_column(Date)  # the "today" the last run was given
    last_count: Mapped[int] = mapped_column(Integer, default=0)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
