"""Pools the demo draws people's, companies' and places' names and phone numbers from."""

from __future__ import annotations

import itertools


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_SURNAMES = (
    "王李张刘陈杨黄赵吴周"  # the ten commonest, weighted up below
    "徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦"
    "邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文"
)
SURNAME_POOL: tuple[str, ...] = (*_SURNAMES, "欧阳", "上官")
# Cumulative weights: rng.choices then skips summing them on every one of many calls.
SURNAME_CUM = tuple(
    itertools.accumulate(
        6.0 if i < 10 else 3.0 if i < 30 else 1.0 if i < len(_SURNAMES) else 0.3
        for i in range(len(SURNAME_POOL))
    )
)
GIVEN_1 = tuple(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚辉玲婷鹏华红俊宇浩晨颖佳睿丹雪琳斌宁凯波峰鑫倩"
)
GIVEN_2 = _words(
    "秀英 桂英 秀兰 建华 建国 志强 欣怡 子涵 梓萱 一诺 雨桐 思远 嘉怡 "
    "博文 海燕 国强 春梅 晓东 晓燕 文博 雅琪 天佑 梦瑶 子轩 浩然 宇航 "
    "佳怡 俊杰 婷婷 丽华 淑珍 玉兰 明辉 志刚 文静 晓明 海涛 红梅 立新 "
    "建军 秀梅 丽娟 永刚 德华 家豪 思琪 诗涵 若曦 晨阳 振宇"
)
TRADE_WORDS = _words(
    "恒信 华辰 鼎盛 嘉禾 瑞丰 启明 永安 博远 金泰 宏达 新元 润泽 卓越 "
    "同创 海纳 中联 天成 盛世 信达 安泰"
)
INDUSTRIES = _words("科技 贸易 信息技术 文化传媒 物业管理 餐饮管理 建筑设计 医疗器械 电子 物流")
AGENT_WORDS = ("浦江", "清源", "康泉", "碧泉", "源清", "润泉", "汇泉", "澄泉", "甘霖", "净源")
AGENT_SUFFIXES = ("净水设备有限公司", "水处理科技有限公司", "环保科技有限公司")
COMMUNITIES = _words(
    "阳光花园 锦绣江南 翠湖苑 金色家园 和谐家园 世纪新城 滨江花园 幸福里 "
    "丽都花园 海棠苑 紫荆苑 梧桐院 春晓苑 绿洲小区 康乐新村 怡景苑 书香门第 "
    "名仕豪庭 馨园小区 东方雅苑"
)
MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 "
    "151 152 153 155 156 157 158 159 166 173 "
    "175 176 177 178 180 181 182 183 185 186 "
    "187 188 189 191 198 199"
)
_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals (十二, 二十, 三十五)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else "十" if tens == 1 else _CN_DIGITS[tens] + "十"
    return head + (_CN_DIGITS[ones] if ones else "")
