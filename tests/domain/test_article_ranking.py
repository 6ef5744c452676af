"""Knowledge-base search ranked by relevance, on a small hand-made set whose scores are worked
out by hand (hotline/ranking.py), in a rolled-back transaction on both engines."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.domain.outlets_world import NOW, actor_of, in_rollback
from wellspring.domain.actor import Actor
from wellspring.domain.hotline import articles, search
from wellspring.domain.models import DeviceModel, FaultCode


async def _article(
    session: AsyncSession,
    hotline: Actor,
    title: str,
    body: str,
    days_ago: int,
    *,
    fault_codes: list[str] | None = None,
    model_ids: list[str] | None = None,
) -> str:
    made = await articles.upsert_article(
        session,
        hotline,
        change=articles.ArticleChange(
            title_zh=title,
            body_zh=body,
            fault_codes=fault_codes or [],
            model_ids=model_ids or [],
            publish=True,
        ),
    )
    made.updated_at = NOW - dt.timedelta(days=days_ago)  # recency decides ties
    await session.flush()
    return made.id


def test_search_ranks_title_phrase_and_tags_above_body_then_recency(database_url: str) -> None:
    async def body(session: AsyncSession) -> None:
        hotline, engineer = await actor_of(session, "hotline"), await actor_of(session, "tech-sh-1")
        code = (await session.execute(select(FaultCode.code).limit(1))).scalar_one()
        model = (await session.execute(select(DeviceModel).limit(1))).scalar_one()

        async def add(title: str, text: str, days_ago: int, **tags: list[str]) -> str:
            return await _article(session, hotline, title, text, days_ago, **tags)

        # "滤芯堵塞" is 滤芯, 芯堵, 堵塞 (3 terms: an article needs 2). By hand:
        a1 = await add("滤芯堵塞处理", "出水变慢时检查。", 30)  # 3 + 2x3 title + 6 phrase = 15
        a4 = await add("更换滤芯", "滤芯堵塞会出水慢。", 90)  # 3 + 2x1 title + 3 phrase = 8
        a2 = await add("出水变慢", "可能是滤芯堵塞。", 20)  # 3 + 3 phrase in body = 6
        a6 = await add("出水变慢", "可能是滤芯堵塞。", 10)  # the same, newer: before a2
        a3 = await add("漏水检查", "滤芯座漏水，与堵塞无关。", 1)  # 滤芯, 堵塞: 2
        a5 = await add("保养说明", "定期更换滤芯。", 0)  # 滤芯 alone: 1 of 3, not a hit
        mine = {a1, a2, a3, a4, a5, a6}

        async def find(query: str, *, first: int = 100) -> list[str]:
            found: list[str] = []
            after = None
            while True:  # page by page: the cursor keeps the ranked order
                page = await articles.articles_page(
                    session,
                    engineer,
                    search_text=query,
                    model_id=None,
                    fault_code=None,
                    first=first,
                    after=after,
                )
                found += [a.id for a in page.items if a.id in mine]
                if not page.has_next_page:
                    return found
                after = page.end_cursor

        assert await find("滤芯堵塞") == [a1, a4, a6, a2, a3]
        assert await find("滤芯堵塞", first=1) == [a1, a4, a6, a2, a3]
        # one Chinese character: every article with a bigram starting or ending with it
        # a1 has it in its title (1 + 2 + 6 = 9), the others in a body (1 + 3): newest first
        assert await find("堵") == [a1, a3, a6, a2, a4]
        assert set(await find("芯")) == mine
        # a fault code or a model's code in the query: the tagged article comes first
        a7 = await add("其他", f"报警 {code} 漏水", 5, fault_codes=[code])  # 2 + 4 tag + 3 = 9
        a8 = await add("其他", f"报警 {code} 漏水", 4)  # 2 + 3 phrase = 5, newer than a7
        a9 = await add("无关", "说明", 3, model_ids=[model.id])  # only its model tag: 0 + 4
        mine |= {a7, a8, a9}
        assert await find(f"{code} 漏水") == [a7, a8, a3]  # a3: 漏水 in the title, 3
        assert await find(model.code) == [a9]
        assert search.query_terms("！！") == []

    in_rollback(database_url, body)
