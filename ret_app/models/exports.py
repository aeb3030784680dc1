"""Export jobs: an export that takes longer than a moment is made by the job runner while the user
waits on its page (ret_app/exports). The file is kept in the database, not on a disk, so every
machine of the application serves it; it is removed when the job expires."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ret_app.models.base import Base, UTCDateTime, utcnow
from ret_app.models.users import User


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"  # requested; waiting for the job runner
    RUNNING = "running"  # being made (progress 0..100)
    DONE = "done"  # made: the requester downloads it until `expires_at`
    FAILED = "failed"  # not made (`message` says why, in the requester's language)


class ExportJob(Base):
    __tablename__ = "export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The add form's key (ret_app.kernel.submissions): the same form sent twice adds one.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    # What to export: ids, dates and short codes only (never a name or free text).
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    region_id: Mapped[Optional[int]] = mapped_column(ForeignKey("region.id"))
    locale: Mapped[str] = mapped_column(String(8), default="nl")  # the requester's language: the file's
    status: Mapped[str] = mapped_column(String(16), default=ExportStatus.QUEUED.value)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # 0..100
    # What the render says it is doing, or why it failed (in `locale`); never personal data.
    message: Mapped[Optional[str]] = mapped_column(String(200))
    filename: Mapped[Optional[str]] = mapped_column(String(200))
    mimetype: Mapped[Optional[str]] = mapped_column(String(100))
    size: Mapped[Optional[int]] = mapped_column(Integer)
    # The file itself: never loaded with the row (lists, the status page), only for the download.
    content: Mapped[Optional[bytes]] = deferred(mapped_column(LargeBinary))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())  # the last sign of life
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    removed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())  # the file removed (expired)

    requested_by: Mapped[User] = relationship()

    __table_args__ = (
        # "Mijn exports": one user's jobs, newest first, optionally of one status.
        Index("ix_export_job_requested_by_id_created_at", "requested_by_id", "created_at"),
        # The housekeeping: jobs waiting or running (stalled?), files past their expiry.
        Index("ix_export_job_status", "status"),
        Index("ix_export_job_expires_at", "expires_at"),
    )

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def available(self) -> bool:
        """Done and its file still kept."""
        return self.status == ExportStatus.DONE and self.removed_at is None
