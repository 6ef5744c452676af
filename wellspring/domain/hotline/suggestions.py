"""Suggested knowledge-base articles on a ticket and on the engineer's job: published ones
tagged with the device's model or the fault code, those matching both first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import permissions
from ..actor import Actor
from ..models import Article, ArticleTerm, Device, Job, Ticket
from ..models.enums import ArticleStatus
from . import search

Key = tuple[str | None, str | None]  # (device model id, fault code)


async def suggested_articles(
    session: AsyncSession,
    actor: Actor,
    *,
    model_id: str | None,
    fault_code: str | None,
    limit: int = 5,
) -> list[Article]:
    """Published articles for a device model and fault: both matched first, then either."""
    found = await _suggested_many(session, actor, [(model_id, fault_code)], limit=limit)
    return found[(model_id, fault_code)]


async def _suggested_many(
    session: AsyncSession, actor: Actor, keys: Sequence[Key], *, limit: int = 5
) -> dict[Key, list[Article]]:
    """``suggested_articles`` for many (model, fault) pairs in two statements: the published
    articles' matching tags, then the chosen articles."""
    wanted = {key: _tags(*key) for key in dict.fromkeys(keys)}
    answer: dict[Key, list[Article]] = {key: [] for key in wanted}
    every = sorted({t for tags in wanted.values() for t in tags})
    if not permissions.allows(actor, "articles.list") or not every:
        return answer
    tagged: dict[str, set[str]] = defaultdict(set)  # tag -> article ids
    for article_id, term in await session.execute(
        select(ArticleTerm.article_id, ArticleTerm.term)
        .join(Article, Article.id == ArticleTerm.article_id)
        .where(
            ArticleTerm.term.in_(every),
            Article.status == ArticleStatus.PUBLISHED,
            Article.deleted_at.is_(None),
        )
    ):
        tagged[term].add(article_id)
    ranked: dict[Key, list[str]] = {}
    for key, tags in wanted.items():
        hits: dict[str, int] = defaultdict(int)
        for tag in tags:
            for article_id in tagged.get(tag, ()):
                hits[article_id] += 1
        ranked[key] = [a for _, a in sorted((-n, a) for a, n in hits.items())][:limit]
    chosen = {a for ids in ranked.values() for a in ids}
    if not chosen:
        return answer
    rows = await session.execute(select(Article).where(Article.id.in_(chosen)))
    by_id = {a.id: a for a in rows.scalars()}
    for key, ids in ranked.items():
        answer[key] = [by_id[a] for a in ids if a in by_id]
    return answer


def _tags(model_id: str | None, fault_code: str | None) -> list[str]:
    return [
        t
        for t in (
            model_id and search.model_tag(model_id),
            fault_code and search.fault_tag(fault_code),
        )
        if t
    ]


async def _models_of(session: AsyncSession, device_ids: Iterable[str | None]) -> dict[str, str]:
    ids = {d for d in device_ids if d is not None}
    if not ids:
        return {}
    rows = await session.execute(
        select(Device.id, Device.device_model_id).where(Device.id.in_(ids))
    )
    return {device: model for device, model in rows.all()}


def _fault(details: dict[str, object] | None) -> str | None:
    return str((details or {}).get("fault_code") or "") or None


async def suggested_for_tickets(
    session: AsyncSession, actor: Actor, tickets: Sequence[Ticket]
) -> dict[str, list[Article]]:
    """Articles per ticket: its device's model and the fault the ticket or a visit named
    (four statements for any number of tickets)."""
    faults = {t.id: _fault(t.details) for t in tickets}
    unnamed = [t_id for t_id, fault in faults.items() if fault is None]
    if unnamed:
        reports = await session.execute(
            select(Job.ticket_id, Job.report)
            .where(Job.ticket_id.in_(unnamed))
            .order_by(Job.created_at.desc())
        )
        for ticket_id, report in reports.all():
            if faults[ticket_id] is None:
                faults[ticket_id] = _fault(report)
    models = await _models_of(session, (t.device_id for t in tickets))
    keys = {t.id: (models.get(t.device_id or ""), faults[t.id]) for t in tickets}
    found = await _suggested_many(session, actor, list(keys.values()))
    return {t_id: found[key] for t_id, key in keys.items()}


async def suggested_for_jobs(
    session: AsyncSession, actor: Actor, jobs: Sequence[Job]
) -> dict[str, list[Article]]:
    """Articles per visit: the fault its report names, else its ticket's."""
    ticket_ids = {j.ticket_id for j in jobs}
    tickets = {
        t.id: t
        for t in (await session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids)))).all()
    }
    models = await _models_of(session, (t.device_id for t in tickets.values()))
    keys: dict[str, Key] = {}
    for job in jobs:
        ticket = tickets.get(job.ticket_id)
        if ticket is None:
            keys[job.id] = (None, None)
            continue
        fault = _fault(job.report) or _fault(ticket.details)
        keys[job.id] = (models.get(ticket.device_id or ""), fault)
    found = await _suggested_many(session, actor, list(keys.values()))
    return {j_id: found[key] for j_id, key in keys.items()}


async def suggested_for_ticket(
    session: AsyncSession, actor: Actor, ticket: Ticket
) -> list[Article]:
    return (await suggested_for_tickets(session, actor, [ticket]))[ticket.id]


async def suggested_for_job(session: AsyncSession, actor: Actor, job: Job) -> list[Article]:
    return (await suggested_for_jobs(session, actor, [job]))[job.id]
