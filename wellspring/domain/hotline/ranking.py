"""Knowledge-base search ranked by relevance, the same on SQLite and PostgreSQL.

A query is tokenized as articles are (search.py: CJK bigrams, ASCII words). An article is a
hit when it holds at least half of the query's terms (rounded up), and its score, an integer
computed in SQL, is:

- 1 per query term found anywhere (titles, bodies, symptoms, codes, versions), plus
  ``TITLE_WEIGHT`` more when the term is in a title (the ``t:`` terms of the index);
- ``PHRASE_IN_TITLE`` when the whole query, as typed (case-folded, spaces collapsed), is in a
  title, else ``PHRASE_IN_BODY`` when it is in a body;
- ``TAG_BONUS`` per query word (or space-separated token, as ``RO-500``) that is one of the
  article's fault codes, or the code of a device model the article is tagged with; such a tag
  also counts as a matched term, so ``E01`` finds the articles tagged E01 even if their text
  never says it.

Ties go to the most recently updated article, then the id: one order on both engines, so the
keyset cursor (score, updated_at, id) pages it without gaps.

A term of one Chinese character (``水``) cannot be looked up as a bigram: it matches any
article with a bigram starting or ending with it (出水, 水垢, ...) or a text that is that one
character; ``LIKE`` with ``_`` counts characters on both engines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..cursors import decode_cursor, encode_cursor
from ..models import Article, ArticleTerm, DeviceModel
from ..pagination import COUNT_LIMIT, Page, SortKey, check_page_size, keyset_after
from . import search

TITLE_WEIGHT = 2
PHRASE_IN_TITLE = 6
PHRASE_IN_BODY = 3
TAG_BONUS = 4


def _single_cjk(term: str) -> bool:
    return len(term) == 1 and search.is_cjk(term)


def _holds(term: str, prefix: str = "") -> ColumnElement[bool]:
    """The index row is ``term`` (with ``prefix``); a lone CJK character matches the bigrams
    it starts or ends as well."""
    column = ArticleTerm.term
    if not _single_cjk(term):
        return column == prefix + term
    return or_(
        column == prefix + term,
        column.like(f"{prefix}{term}_"),
        column.like(f"{prefix}_{term}"),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _phrase_bonus(phrase: str) -> ColumnElement[int]:
    pattern = f"%{_escape_like(phrase)}%"

    def has(column: Any) -> ColumnElement[bool]:
        return func.lower(column).like(pattern, escape="\\")

    return case(
        (or_(has(Article.title_zh), has(Article.title_en)), PHRASE_IN_TITLE),
        (or_(has(Article.body_zh), has(Article.body_en)), PHRASE_IN_BODY),
        else_=0,
    )


async def _tag_bonus_terms(session: AsyncSession, text: str, words: list[str]) -> list[str]:
    """Fault-code tags for the query's words and tokens, and model tags for the models whose
    codes they are."""
    tokens = sorted({*words, *(t.lower() for t in text.split() if len(t) <= 32)})
    if not tokens:
        return []
    models = await session.scalars(
        select(DeviceModel.id).where(func.lower(DeviceModel.code).in_(tokens))
    )
    return sorted({search.fault_tag(t) for t in tokens} | {search.model_tag(m) for m in models})


async def ranked_page(
    session: AsyncSession,
    base: Select[Any],
    *,
    text: str,
    query_terms: Sequence[str],
    first: int | None,
    after: str | None,
) -> Page[Article]:
    """One page of ``base`` (a select of Article, already scoped and filtered) matching
    ``query_terms`` (non-empty), best first."""
    size = check_page_size(first)
    words = [t for t in query_terms if not search.is_cjk(t[0])]
    tags = await _tag_bonus_terms(session, text, words)
    hits = [func.max(case((_holds(t), 1), else_=0)) for t in query_terms]
    titled = [func.max(case((_holds(t, search.TITLE), 1), else_=0)) for t in query_terms]
    tagged = [func.max(case((ArticleTerm.term == tag, 1), else_=0)) for tag in tags]
    matched = sum(hits[1:], hits[0])
    tag_hits = sum(tagged[1:], tagged[0]) if tagged else literal(0)
    rows = [_holds(t) for t in query_terms] + [_holds(t, search.TITLE) for t in query_terms]
    if tags:
        rows.append(ArticleTerm.term.in_(tags))
    scored = (
        select(
            ArticleTerm.article_id.label("article_id"),
            (matched + TITLE_WEIGHT * sum(titled[1:], titled[0]) + TAG_BONUS * tag_hits).label(
                "points"
            ),
        )
        .where(or_(*rows))
        .group_by(ArticleTerm.article_id)
        .having(matched + tag_hits >= math.ceil(len(query_terms) / 2))
        .subquery()
    )
    phrase = " ".join(text.lower().translate(search.FULL_WIDTH).split())
    score = scored.c.points + (_phrase_bonus(phrase) if phrase else literal(0))
    stmt = base.join(scored, scored.c.article_id == Article.id).add_columns(score.label("score"))
    order = (SortKey(score), SortKey(Article.updated_at), SortKey(Article.id))
    count_stmt = select(func.count()).select_from(
        stmt.order_by(None).limit(COUNT_LIMIT + 1).subquery()
    )
    if after:
        stmt = stmt.where(keyset_after(order, decode_cursor(after, [k.column for k in order])))
    stmt = stmt.order_by(*[k.column.desc() for k in order]).limit(size + 1)
    found = list((await session.execute(stmt)).all())
    has_next = len(found) > size
    found = found[:size]

    async def count() -> int:
        return int((await session.execute(count_stmt)).scalar_one())

    return Page(
        items=[row[0] for row in found],
        cursors=[encode_cursor([int(row[1]), row[0].updated_at, row[0].id]) for row in found],
        has_next_page=has_next,
        has_previous_page=after is not None,
        _count=count,
    )
