"""Who sees which missed calls and articles (``domain.policy`` lists these in ``SCOPES``)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true

from ..actor import Actor
from ..models import Article, CallbackAttempt, MissedCall
from ..models.enums import ArticleStatus, Role

Condition = ColumnElement[bool]


def missed_calls_scope(actor: Actor) -> Condition:
    """The hotline and HQ work every missed call; a clerk those of their branch's customers."""
    if actor.role in (Role.ADMIN, Role.HQ, Role.HOTLINE):
        return true()
    if actor.role is Role.CLERK and actor.branch_id:
        return MissedCall.branch_id == actor.branch_id
    return false()


def callback_attempts_scope(actor: Actor) -> Condition:
    """An attempt is seen with its call (a replayed RecordCallback answers with it)."""
    return CallbackAttempt.missed_call_id.in_(
        select(MissedCall.id).where(missed_calls_scope(actor))
    )


def can_edit_articles(actor: Actor) -> bool:
    return actor.role in (Role.ADMIN, Role.HQ, Role.HOTLINE)


def articles_scope(actor: Actor) -> Condition:
    """Staff, engineers and agents read published articles; editors also drafts and retired
    ones; customers none (the knowledge base is internal)."""
    if can_edit_articles(actor):
        return true()
    if actor.role is Role.CUSTOMER:
        return false()
    return Article.status == ArticleStatus.PUBLISHED
