"""The hotline's tools (issue 18): missed calls to call back, and the knowledge base."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record, new_id
from .enums import ArticleStatus, CallbackOutcome, MissedCallStatus, enum_column


class MissedCall(Record, Base):
    """A call the hotline missed, as the PBX (or an agent) reported it, until called back."""

    __tablename__ = "missed_calls"
    __table_args__ = (
        Index("ix_missed_calls_open", "status", "called_at", "id"),
        Index("ix_missed_calls_branch_called", "branch_id", "called_at"),
        Index("ix_missed_calls_called", "called_at"),
    )
    # The PBX's own id for the call: a retried report changes nothing.
    call_id: Mapped[str] = mapped_column(String(100), unique=True)
    caller_number: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(32), index=True)  # normalized (hotline/phones.py)
    called_at: Mapped[dt.datetime] = mapped_column()
    queue: Mapped[str] = mapped_column(String(50), default="")
    source: Mapped[str] = mapped_column(String(16), default="API")  # API or PBX
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), default=None)
    # The matched customer's branch, for the branch's own figures (None: unknown caller).
    branch_id: Mapped[str | None] = mapped_column(ForeignKey("branches.id"), default=None)
    status: Mapped[MissedCallStatus] = mapped_column(
        enum_column(MissedCallStatus), default=MissedCallStatus.OPEN
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # When a call back reached the caller (the "returned" of the statistics).
    returned_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # When the call back is due (called_at + the hotline's SLA), and the PBX's recording.
    due_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    recording_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # The hotline agent who is to call back (AssignCallback); anyone may still call.
    assigned_to_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)


class CallbackAttempt(Record, Base):
    """One try at calling a missed caller back, and how it went."""

    __tablename__ = "callback_attempts"
    missed_call_id: Mapped[str] = mapped_column(ForeignKey("missed_calls.id"), index=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[CallbackOutcome] = mapped_column(enum_column(CallbackOutcome))
    note: Mapped[str] = mapped_column(String(500), default="")
    attempted_at: Mapped[dt.datetime] = mapped_column()


class Article(Record, Base):
    """A knowledge-base article; its columns hold the latest published revision."""

    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_status_updated", "status", "updated_at", "id"),)
    status: Mapped[ArticleStatus] = mapped_column(
        enum_column(ArticleStatus), default=ArticleStatus.DRAFT
    )
    revision: Mapped[int] = mapped_column(Integer, default=0)  # the published one (0: none)
    latest_revision: Mapped[int] = mapped_column(Integer, default=1)
    title_zh: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    body_zh: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    model_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    fault_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    symptoms: Mapped[list[str]] = mapped_column(JSON, default=list)
    versions: Mapped[str] = mapped_column(String(100), default="")  # firmware/hardware applies
    published_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class ArticleRevision(Record, Base):
    """Every revision as written: nothing is overwritten."""

    __tablename__ = "article_revisions"
    __table_args__ = (Index("uq_article_revisions_number", "article_id", "number", unique=True),)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"))
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    published: Mapped[bool] = mapped_column(default=False)
    title_zh: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    body_zh: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    model_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    fault_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    symptoms: Mapped[list[str]] = mapped_column(JSON, default=list)
    versions: Mapped[str] = mapped_column(String(100), default="")


class ArticleTerm(Base):
    """The search index of published articles: Chinese character bigrams, ASCII words, and
    ``m:<model id>`` / ``f:<fault code>`` tags (hotline/search.py). Rebuilt on each publish."""

    __tablename__ = "article_terms"
    __table_args__ = (
        Index("ix_article_terms_term", "term", "article_id"),
        Index("uq_article_terms_pair", "article_id", "term", unique=True),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"))
    term: Mapped[str] = mapped_column(String(64))
