"""The knowledge base's own search index: Chinese character bigrams plus ASCII words.

PostgreSQL's full-text search does not segment Chinese, and SQLite's FTS differs from it, so
both engines use one plain table (``article_terms``) written by the domain whenever an article
is published: every overlapping pair of CJK characters (一个单字 alone when it stands alone),
every ASCII word lower-cased, the terms of the titles again with a ``t:`` prefix (so a title
hit weighs more), and tags for the article's device models (``m:<id>``) and fault codes
(``f:<code>``). A query is tokenized the same way and ranked by ranking.py. No segmentation
library (jieba) is needed: bigrams find any phrase of two characters or more, at the price of
the odd false hit across a word boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import ArticleTerm

# CJK unified ideographs (and extension A), the kana a model name may hold, and full-width
# letters are folded first (NFKC would do; the explicit range keeps it obvious).
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")
MAX_TERM = 64
MAX_QUERY_TERMS = 12
TITLE = "t:"  # the prefix of a title's terms


def terms(text: str) -> set[str]:
    """The index terms of a text."""
    folded = text.lower().translate(_FULL_WIDTH)
    found: set[str] = set()
    for run in _CJK.findall(folded):
        if len(run) == 1:
            found.add(run)
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    found.update(word[:MAX_TERM] for word in _WORD.findall(folded))
    return found


_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
FULL_WIDTH = _FULL_WIDTH


def is_cjk(text: str) -> bool:
    return bool(_CJK.fullmatch(text))


def title_tags(title: str) -> set[str]:
    """A title's terms, prefixed (``t:滤芯``)."""
    return {f"{TITLE}{term}"[:MAX_TERM] for term in terms(title)}


def query_terms(text: str) -> list[str]:
    """A query's terms, at most ``MAX_QUERY_TERMS`` (in a fixed order)."""
    return sorted(terms(text[:200]))[:MAX_QUERY_TERMS]


def model_tag(model_id: str) -> str:
    return f"m:{model_id}"[:MAX_TERM]


def fault_tag(code: str) -> str:
    return f"f:{code.strip().upper()}"[:MAX_TERM]


async def reindex(session: AsyncSession, article_id: str, new_terms: Iterable[str]) -> None:
    """Replace the article's terms (none: it drops out of search)."""
    await session.execute(delete(ArticleTerm).where(ArticleTerm.article_id == article_id))
    rows = [{"article_id": article_id, "term": term} for term in sorted(set(new_terms))]
    if rows:
        await session.execute(insert(ArticleTerm), rows)


def matching(required: set[str]) -> object:
    """A select of the ids of articles holding every one of ``required``."""
    return (
        select(ArticleTerm.article_id)
        .where(ArticleTerm.term.in_(required))
        .group_by(ArticleTerm.article_id)
        .having(func.count(ArticleTerm.term) == len(required))
    )
