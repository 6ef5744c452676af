"""Suggested knowledge-base articles on a ticket and on the engineer's job: published ones
tagged with the device's model or the fault code, those matching both first."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import permissions
from ..actor import Actor
from ..models import Article, ArticleTerm, Device, Job, Ticket
from ..models.enums import ArticleStatus
from . import search


async def suggested_articles(
    session: AsyncSession,
    actor: Actor,
    *,
    model_id: str | None,
    fault_code: str | None,
    limit: int = 5,
) -> list[Article]:
    """Published articles for a device model and fault: both matched first, then either."""
    if not permissions.allows(actor, "articles.list") or not (model_id or fault_code):
        return []
    tags = [
        t
        for t in (
            model_id and search.model_tag(model_id),
            fault_code and search.fault_tag(fault_code),
        )
        if t
    ]
    hits = func.count(ArticleTerm.term)
    ranked = (
        await session.execute(
            select(ArticleTerm.article_id, hits)
            .join(Article, Article.id == ArticleTerm.article_id)
            .where(
                ArticleTerm.term.in_(tags),
                Article.status == ArticleStatus.PUBLISHED,
                Article.deleted_at.is_(None),
            )
            .group_by(ArticleTerm.article_id)
            .order_by(hits.desc(), ArticleTerm.article_id)
            .limit(limit)
        )
    ).all()
    if not ranked:
        return []
    rows = await session.execute(select(Article).where(Article.id.in_([r[0] for r in ranked])))
    by_id = {a.id: a for a in rows.scalars()}
    return [by_id[r[0]] for r in ranked if r[0] in by_id]


async def _model_of(session: AsyncSession, device_id: str | None) -> str | None:
    if device_id is None:
        return None
    return await session.scalar(select(Device.device_model_id).where(Device.id == device_id))


async def suggested_for_ticket(
    session: AsyncSession, actor: Actor, ticket: Ticket
) -> list[Article]:
    """Articles for a ticket: its device's model and the fault the ticket or a visit named."""
    fault = str(ticket.details.get("fault_code") or "") or None
    if fault is None:
        reports = await session.execute(
            select(Job.report).where(Job.ticket_id == ticket.id).order_by(Job.created_at.desc())
        )
        fault = next((str(r["fault_code"]) for r in reports.scalars() if r.get("fault_code")), None)
    model = await _model_of(session, ticket.device_id)
    return await suggested_articles(session, actor, model_id=model, fault_code=fault)


async def suggested_for_job(session: AsyncSession, actor: Actor, job: Job) -> list[Article]:
    """Articles for a visit: the fault its report names, else its ticket's."""
    ticket = await session.get(Ticket, job.ticket_id)
    if ticket is None:
        return []
    fault = str(job.report.get("fault_code") or ticket.details.get("fault_code") or "") or None
    model = await _model_of(session, ticket.device_id)
    return await suggested_articles(session, actor, model_id=model, fault_code=fault)
