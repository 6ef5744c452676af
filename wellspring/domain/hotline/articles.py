"""Knowledge-base articles (知识库): written in zh-CN and en by device model, fault code and
symptom; every revision kept, readers get the latest published one.

Saving writes a new revision. ``publish`` makes it what readers (and search, and the
engineers' phones) get; a draft revision of a published article waits for the next publish.
An article never published shows its latest draft to editors only. Retiring takes it out of
reading and search; a later publish brings it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, clock, permissions
from ..actor import Actor
from ..errors import DomainError
from ..models import Article, ArticleRevision, DeviceModel, FaultCode
from ..models.enums import ArticleStatus
from ..pagination import Page, SortKey, paginate
from . import ranking, scopes, search

MAX_TAGS = 20
MAX_BODY = 20_000
_CONTENT = ("title_zh", "title_en", "body_zh", "body_en", "model_ids", "fault_codes")
_MORE = ("symptoms", "versions")


@dataclass(frozen=True)
class ArticleChange:
    """A revision: the whole content (not a patch), and whether to publish it."""

    id: str | None = None
    title_zh: str = ""
    title_en: str = ""
    body_zh: str = ""
    body_en: str = ""
    model_ids: list[str] = field(default_factory=list)
    fault_codes: list[str] = field(default_factory=list)
    symptoms: list[str] = field(default_factory=list)
    versions: str = ""
    publish: bool = False
    retire: bool = False


def _text(value: str, name: str, maximum: int) -> str:
    cleaned = value.strip()
    if len(cleaned) > maximum:
        raise DomainError("VALUE_TOO_LONG", field=name, maximum=maximum)
    return cleaned


def _tags(values: list[str], name: str, maximum: int = 50) -> list[str]:
    if len(values) > MAX_TAGS:
        raise DomainError("TOO_MANY_ITEMS", field=name, maximum=MAX_TAGS)
    cleaned = [_text(v, name, maximum) for v in values]
    return list(dict.fromkeys(v for v in cleaned if v))


async def _checked(session: AsyncSession, change: ArticleChange) -> dict[str, object]:
    content: dict[str, object] = {
        "title_zh": _text(change.title_zh, "title_zh", 200),
        "title_en": _text(change.title_en, "title_en", 200),
        "body_zh": _text(change.body_zh, "body_zh", MAX_BODY),
        "body_en": _text(change.body_en, "body_en", MAX_BODY),
        "model_ids": _tags(change.model_ids, "model_ids", 36),
        "fault_codes": [c.upper() for c in _tags(change.fault_codes, "fault_codes", 16)],
        "symptoms": _tags(change.symptoms, "symptoms", 100),
        "versions": _text(change.versions, "versions", 100),
    }
    if not content["title_zh"] and not content["title_en"]:
        raise DomainError("ARTICLE_NEEDS_TITLE", field="title_zh")
    models = list(content["model_ids"])  # type: ignore[call-overload]
    if models:
        known = await session.scalar(
            select(func.count()).where(DeviceModel.id.in_(models), DeviceModel.deleted_at.is_(None))
        )
        if known != len(models):  # which one, for the transport to name where it was sent
            present = set(
                await session.scalars(
                    select(DeviceModel.id).where(
                        DeviceModel.id.in_(models), DeviceModel.deleted_at.is_(None)
                    )
                )
            )
            missing = next(i for i in models if i not in present)
            raise DomainError("NOT_FOUND", field="model_ids", id_value=missing)
    codes = list(content["fault_codes"])  # type: ignore[call-overload]
    if codes:
        known = await session.scalar(select(func.count()).where(FaultCode.code.in_(codes)))
        if known != len(codes):
            raise DomainError("NOT_FOUND", field="fault_codes")
    return content


def index_terms(article: Article) -> set[str]:
    parts = [article.title_zh, article.title_en, article.body_zh, article.body_en]
    text = " ".join([*parts, article.versions, *article.symptoms, *article.fault_codes])
    found = search.terms(text)
    found.update(search.title_tags(f"{article.title_zh} {article.title_en}"))
    found.update(search.model_tag(m) for m in article.model_ids)
    found.update(search.fault_tag(c) for c in article.fault_codes)
    return found


async def upsert_article(session: AsyncSession, actor: Actor, *, change: ArticleChange) -> Article:
    """Write a new revision of an article (a new article without ``id``)."""
    permissions.check(actor, "article.upsert")
    if change.id is None:
        article = Article(latest_revision=0)
        session.add(article)
    else:
        found = await session.scalar(
            select(Article).where(Article.id == change.id, Article.deleted_at.is_(None))
        )
        if found is None:
            raise DomainError("NOT_FOUND", field="id")
        article = found
    content = await _checked(session, change)
    article.latest_revision += 1
    await session.flush()
    revision = ArticleRevision(
        article_id=article.id,
        number=article.latest_revision,
        author_id=actor.user_id,
        published=change.publish and not change.retire,
        **content,
    )
    session.add(revision)
    if change.retire:
        article.status = ArticleStatus.RETIRED
    elif change.publish:
        article.status, article.revision = ArticleStatus.PUBLISHED, revision.number
        article.published_at = clock.now(session)
    if article.status is ArticleStatus.DRAFT or change.publish:
        for name in (*_CONTENT, *_MORE):
            setattr(article, name, content[name])
    await session.flush()
    live = article.status is ArticleStatus.PUBLISHED
    await search.reindex(session, article.id, index_terms(article) if live else ())
    audit.record(
        session,
        actor,
        "article.saved",
        entity_type="Article",
        entity_id=article.id,
        revision=revision.number,
        status=article.status.value,
    )
    return article


async def articles_page(
    session: AsyncSession,
    actor: Actor,
    *,
    search_text: str | None,
    model_id: str | None,
    fault_code: str | None,
    first: int | None,
    after: str | None,
) -> Page[Article]:
    """Articles the actor may read, newest first; ``search`` finds published articles by
    title, body, symptoms and codes in either language, best match first (hotline/search.py,
    ranking.py). ``model_id`` and ``fault_code`` must both hold when given."""
    permissions.check(actor, "articles.list")
    stmt = select(Article).where(scopes.articles_scope(actor), Article.deleted_at.is_(None))
    required = set()
    if model_id:
        required.add(search.model_tag(model_id))
    if fault_code:
        required.add(search.fault_tag(fault_code[:16]))
    if required:
        stmt = stmt.where(Article.id.in_(search.matching(required)))  # type: ignore[arg-type]
    wanted = search.query_terms(search_text or "")
    if wanted:
        text = (search_text or "")[:200]
        return await ranking.ranked_page(
            session, stmt, text=text, query_terms=wanted, first=first, after=after
        )
    if (search_text or "").strip():
        stmt = stmt.where(Article.id.is_(None))  # nothing searchable in the text: no match
    order = (SortKey(Article.updated_at), SortKey(Article.id))
    return await paginate(
        session, stmt, order=order, first=first, after=after, row_key=lambda a: (a.updated_at, a.id)
    )


async def revisions_of(
    session: AsyncSession, actor: Actor, article_id: str
) -> list[ArticleRevision]:
    """Every revision, newest first: for editors (others get none)."""
    if not scopes.can_edit_articles(actor):
        return []
    rows = await session.execute(
        select(ArticleRevision)
        .where(ArticleRevision.article_id == article_id)
        .order_by(ArticleRevision.number.desc())
        .limit(100)
    )
    return list(rows.scalars().all())
