"""Deterministic demo data: branches, staff, agents, customers, devices, cards and tickets.

Everything derives from one ``random.Random(seed)``, ids from ``uuid5`` over a fixed namespace
and times from a fixed clock: the demo's "now" is 2026-11-23 10:00 in Shanghai. A given
``(scale, seed)`` therefore always yields the same rows. Rows go in through bulk ``insert()`` in
chunks, all stamped with one change version drawn for the whole load.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import itertools
import math
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import argon2
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..geo import cells
from . import versioning
from .inventory.demo import load_inventory
from .models import (
    AccountCard,
    Address,
    Agent,
    Base,
    Branch,
    Contact,
    CounterRow,
    Customer,
    Device,
    DeviceModel,
    FilterType,
    FollowUp,
    Job,
    JobStatusChange,
    ServiceOutlet,
    Technician,
    Ticket,
    TicketStatusChange,
    User,
)
from .models.enums import (
    AgentLevel,
    BranchKind,
    CardStatus,
    Channel,
    CustomerKind,
    CustomerTier,
    DeviceStatus,
    Dissatisfaction,
    FollowUpStatus,
    JobStatus,
    OutletLevel,
    OwnerKind,
    Priority,
    Role,
    SupplyMode,
    TicketStatus,
    TicketType,
)

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented password of the demo accounts
DEMO_USERNAMES = (
    "admin",
    "hq",
    "hotline",
    "clerk-sh",
    "clerk-bj",
    "tech-sh-1",
    "tech-sh-2",
    "tech-bj-1",
    "sales-sh-1",
    "agent-1",
    "customer-1",
)


class DemoDataError(Exception):
    """The database is not empty, so demo data would mix with real data."""


@dataclass(frozen=True)
class DemoSummary:
    branches: int
    users: int
    technicians: int
    agents: int
    customers: int
    devices: int
    cards: int
    tickets: int
    jobs: int


_NAMESPACE = uuid.UUID("38ff36dd-12d7-484e-b48a-bd2965a1a312")
_CHUNK = 2000
_MIN_SCALE = 20
# China has kept UTC+8 without daylight saving since 1991; a fixed offset needs no tzdata.
_CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
_BASE = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
_NOW = _BASE + dt.timedelta(days=22, hours=2)  # 2026-11-23 10:00 in Shanghai
_TODAY = _NOW.astimezone(_CHINA).date()
_SLOTS = (9, 11, 13, 15)  # appointment windows start on these local hours and last two


def _id(kind: str, n: int | str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{n}"))


@functools.cache
def _ref(kind: str, name: str) -> str:
    """The id of a named row (a branch, user, model), looked up over and over."""
    return _id(kind, name)


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    start = dt.datetime.combine(day, dt.time(hour), _CHINA)
    return (start + dt.timedelta(minutes=minute)).astimezone(dt.UTC)


# --- Places ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    code: str
    name: str
    name_en: str
    kind: BranchKind
    province: str
    city: str
    short: str
    lat: float
    lon: float
    postal_code: str
    phone: str
    address: str
    weight: float  # share of the customers
    districts: tuple[tuple[str, tuple[str, ...]], ...] = ()


_HQ = _Place(
    "HQ", "总部", "Headquarters", BranchKind.HQ, "上海市", "上海市", "上海",
    31.2222, 121.5447, "200120", "021-58880100", "上海市浦东新区世纪大道1000号", 0.0,
)  # fmt: skip
_PLACES: tuple[_Place, ...] = (
    _Place(
        "SH", "上海分公司", "Shanghai Branch", BranchKind.BRANCH, "上海市", "上海市", "上海",
        31.2304, 121.4737, "200000", "021-62880101", "上海市静安区江宁路500号", 0.28,
        (
            ("黄浦区", ("外滩街道", "南京东路街道", "豫园街道")),
            ("徐汇区", ("湖南路街道", "天平路街道", "枫林路街道", "田林街道")),
            ("长宁区", ("华阳路街道", "新华路街道", "虹桥街道")),
            ("静安区", ("静安寺街道", "南京西路街道", "曹家渡街道")),
            ("普陀区", ("长寿路街道", "长风新村街道", "真如镇街道")),
            ("杨浦区", ("五角场街道", "控江路街道", "殷行街道")),
            ("浦东新区", ("陆家嘴街道", "潍坊新村街道", "花木街道", "张江镇")),
            ("闵行区", ("江川路街道", "古美路街道", "莘庄镇")),
        ),
    ),
    _Place(
        "BJ", "北京分公司", "Beijing Branch", BranchKind.BRANCH, "北京市", "北京市", "北京",
        39.9042, 116.4074, "100000", "010-65880102", "北京市朝阳区建国路88号", 0.22,
        (
            ("东城区", ("东华门街道", "景山街道", "和平里街道")),
            ("西城区", ("西长安街街道", "金融街街道", "德胜街道")),
            ("朝阳区", ("建外街道", "望京街道", "三里屯街道", "酒仙桥街道")),
            ("海淀区", ("中关村街道", "学院路街道", "万寿路街道")),
            ("丰台区", ("方庄街道", "卢沟桥街道")),
            ("石景山区", ("八宝山街道", "古城街道")),
        ),
    ),
    _Place(
        "SZ", "深圳分公司", "Shenzhen Branch", BranchKind.BRANCH, "广东省", "深圳市", "深圳",
        22.5431, 114.0579, "518000", "0755-83880103", "深圳市福田区深南大道6008号", 0.15,
        (
            ("福田区", ("华富街道", "莲花街道", "沙头街道")),
            ("罗湖区", ("桂园街道", "东门街道", "黄贝街道")),
            ("南山区", ("粤海街道", "南头街道", "蛇口街道")),
            ("宝安区", ("新安街道", "西乡街道")),
            ("龙岗区", ("龙城街道", "布吉街道")),
            ("龙华区", ("民治街道", "龙华街道")),
        ),
    ),
    _Place(
        "GZ", "广州分公司", "Guangzhou Branch", BranchKind.BRANCH, "广东省", "广州市", "广州",
        23.1291, 113.2644, "510000", "020-83880104", "广州市越秀区东风中路300号", 0.15,
        (
            ("越秀区", ("北京街道", "东山街道", "农林街道")),
            ("天河区", ("天河南街道", "林和街道", "石牌街道")),
            ("海珠区", ("江南中街道", "赤岗街道")),
            ("荔湾区", ("沙面街道", "逢源街道")),
            ("白云区", ("三元里街道", "景泰街道")),
            ("番禺区", ("市桥街道", "大石街道")),
        ),
    ),
    _Place(
        "HZ", "杭州办事处", "Hangzhou Office", BranchKind.OFFICE, "浙江省", "杭州市", "杭州",
        30.2741, 120.1551, "310000", "0571-87880105", "杭州市拱墅区环城北路208号", 0.06,
        (
            ("上城区", ("湖滨街道", "清波街道")),
            ("拱墅区", ("米市巷街道", "湖墅街道")),
            ("西湖区", ("北山街道", "西溪街道", "文新街道")),
            ("滨江区", ("西兴街道", "长河街道")),
        ),
    ),
    _Place(
        "NJ", "南京办事处", "Nanjing Office", BranchKind.OFFICE, "江苏省", "南京市", "南京",
        32.0603, 118.7969, "210000", "025-84880106", "南京市秦淮区中山南路1号", 0.05,
        (
            ("玄武区", ("新街口街道", "玄武门街道")),
            ("秦淮区", ("夫子庙街道", "中华门街道")),
            ("鼓楼区", ("宁海路街道", "湖南路街道")),
            ("建邺区", ("南苑街道", "兴隆街道")),
        ),
    ),
    _Place(
        "TJ", "天津办事处", "Tianjin Office", BranchKind.OFFICE, "天津市", "天津市", "天津",
        39.0842, 117.2009, "300000", "022-23880107", "天津市和平区南京路189号", 0.05,
        (
            ("和平区", ("劝业场街道", "小白楼街道")),
            ("河西区", ("友谊路街道", "大营门街道")),
            ("南开区", ("学府街道", "万兴街道")),
            ("河北区", ("光复道街道", "望海楼街道")),
        ),
    ),
    _Place(
        "SU", "苏州办事处", "Suzhou Office", BranchKind.OFFICE, "江苏省", "苏州市", "苏州",
        31.2990, 120.5853, "215000", "0512-65880108", "苏州市姑苏区人民路1200号", 0.04,
        (
            ("姑苏区", ("平江街道", "观前街道")),
            ("虎丘区", ("狮山街道", "枫桥街道")),
            ("吴中区", ("长桥街道", "郭巷街道")),
            ("相城区", ("元和街道", "太平街道")),
        ),
    ),
)  # fmt: skip
_SH = _PLACES[0]

# --- Names ----------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_SURNAMES = (
    "王李张刘陈杨黄赵吴周"  # the ten commonest, weighted up below
    "徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦"
    "邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文"
)
_SURNAME_POOL: tuple[str, ...] = (*_SURNAMES, "欧阳", "上官")
# Cumulative weights: rng.choices then skips summing them on every one of many calls.
_SURNAME_CUM = tuple(
    itertools.accumulate(
        6.0 if i < 10 else 3.0 if i < 30 else 1.0 if i < len(_SURNAMES) else 0.3
        for i in range(len(_SURNAME_POOL))
    )
)
_GIVEN_1 = tuple(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚辉玲婷鹏华红俊宇浩晨颖佳睿丹雪琳斌宁凯波峰鑫倩"
)
_GIVEN_2 = _words(
    "秀英 桂英 秀兰 建华 建国 志强 欣怡 子涵 梓萱 一诺 雨桐 思远 嘉怡 "
    "博文 海燕 国强 春梅 晓东 晓燕 文博 雅琪 天佑 梦瑶 子轩 浩然 宇航 "
    "佳怡 俊杰 婷婷 丽华 淑珍 玉兰 明辉 志刚 文静 晓明 海涛 红梅 立新 "
    "建军 秀梅 丽娟 永刚 德华 家豪 思琪 诗涵 若曦 晨阳 振宇"
)
_TRADE_WORDS = _words(
    "恒信 华辰 鼎盛 嘉禾 瑞丰 启明 永安 博远 金泰 宏达 新元 润泽 卓越 "
    "同创 海纳 中联 天成 盛世 信达 安泰"
)
_INDUSTRIES = _words("科技 贸易 信息技术 文化传媒 物业管理 餐饮管理 建筑设计 医疗器械 电子 物流")
_AGENT_WORDS = ("浦江", "清源", "康泉", "碧泉", "源清", "润泉", "汇泉", "澄泉", "甘霖", "净源")
_AGENT_SUFFIXES = ("净水设备有限公司", "水处理科技有限公司", "环保科技有限公司")
_COMMUNITIES = _words(
    "阳光花园 锦绣江南 翠湖苑 金色家园 和谐家园 世纪新城 滨江花园 幸福里 "
    "丽都花园 海棠苑 紫荆苑 梧桐院 春晓苑 绿洲小区 康乐新村 怡景苑 书香门第 "
    "名仕豪庭 馨园小区 东方雅苑"
)
_MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 "
    "151 152 153 155 156 157 158 159 166 173 "
    "175 176 177 178 180 181 182 183 185 186 "
    "187 188 189 191 198 199"
)
_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1..99 in Chinese numerals (十二, 二十, 三十五)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else "十" if tens == 1 else _CN_DIGITS[tens] + "十"
    return head + (_CN_DIGITS[ones] if ones else "")


# --- Catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    code: str
    name: str
    supply_mode: SupplyMode
    list_price: Decimal
    filters: tuple[tuple[str, int], ...]


_PP, _CARBON, _RO, _POST = ("PP棉", 90), ("活性炭", 180), ("RO反渗透膜", 730), ("后置活性炭", 365)
_HOME = (_PP, _CARBON, _RO, _POST)
_MODELS = (
    _Model("WS-100", "家用净水机", SupplyMode.MONTHLY, Decimal("2980.00"), _HOME),
    _Model("WS-200", "家用厨下净水器", SupplyMode.MONTHLY, Decimal("1980.00"), _HOME[:3]),
    _Model("WS-300", "商用净水机", SupplyMode.BUCKETS, Decimal("6800.00"), _HOME),
    _Model("WS-500", "校园饮水机", SupplyMode.MONTHLY, Decimal("8800.00"), _HOME),
    _Model(
        "WS-800", "办公室台式饮水机", SupplyMode.BUCKETS, Decimal("1580.00"), (_PP, _CARBON, _POST)
    ),
)
_WS100, _WS200, _WS300, _WS500, _WS800 = _MODELS
# Which machines each kind of customer leases, with cumulative weights.
_MODEL_CHOICE: dict[str, tuple[tuple[_Model, ...], tuple[int, ...]]] = {
    "person": ((_WS100, _WS200), (55, 100)),
    "company": ((_WS300, _WS800), (50, 100)),
    "school": ((_WS500, _WS300), (80, 100)),
    "office": ((_WS800, _WS300), (60, 100)),
}

# --- Tickets --------------------------------------------------------------------------------

_SPINE = (
    TicketStatus.CREATED,
    TicketStatus.APPROVED,
    TicketStatus.DISPATCHED,
    TicketStatus.ASSIGNED,
    TicketStatus.APPOINTED,
    TicketStatus.EN_ROUTE,
    TicketStatus.ON_SITE,
    TicketStatus.COMPLETED,
    TicketStatus.FOLLOW_UP_DUE,
    TicketStatus.CLOSED,
)
_TICKET_STATUS_WEIGHTS: dict[TicketStatus, int] = {
    TicketStatus.CREATED: 5,
    TicketStatus.APPROVED: 4,
    TicketStatus.DISPATCHED: 5,
    TicketStatus.ASSIGNED: 6,
    TicketStatus.APPOINTED: 8,
    TicketStatus.EN_ROUTE: 2,
    TicketStatus.ON_SITE: 2,
    TicketStatus.COMPLETED: 4,
    TicketStatus.FOLLOW_UP_DUE: 8,
    TicketStatus.CLOSED: 45,
    TicketStatus.REJECTED: 4,
    TicketStatus.CANCELLED: 7,
}
_TICKET_TYPE_WEIGHTS: dict[TicketType, int] = {
    TicketType.REPAIR: 25,
    TicketType.FILTER_CHANGE: 15,
    TicketType.RECHARGE: 12,
    TicketType.INSTALL: 8,
    TicketType.WATER_TEST: 8,
    TicketType.COMPLAINT: 8,
    TicketType.INQUIRY: 8,
    TicketType.CARD_CANCEL: 6,
    TicketType.RELOCATE: 5,
    TicketType.UNINSTALL: 5,
}
_NEEDS_DEVICE = frozenset(
    {
        TicketType.UNINSTALL,
        TicketType.RELOCATE,
        TicketType.CARD_CANCEL,
        TicketType.RECHARGE,
        TicketType.REPAIR,
        TicketType.FILTER_CHANGE,
        TicketType.WATER_TEST,
    }
)
# Completing these changes the device or card for good, so no other ticket may share it.
_TAKES_DEVICE = frozenset({TicketType.UNINSTALL, TicketType.CARD_CANCEL, TicketType.RELOCATE})
_SLA_HOURS = {Priority.URGENT: 4, Priority.HIGH: 24, Priority.NORMAL: 48, Priority.LOW: 96}
_DESCRIPTIONS: dict[TicketType, tuple[str, ...]] = {
    TicketType.INSTALL: ("新装机，客户已开户，预约上门安装", "办公室新增一台，需上门安装"),
    TicketType.UNINSTALL: ("客户搬离本市，申请退机", "合同到期不再续约，申请退机"),
    TicketType.RELOCATE: ("客户搬家，申请移机", "单位换办公地点，需要移机"),
    TicketType.CARD_CANCEL: ("客户申请退卡，结清水费", "账户不再使用，申请注销开户卡"),
    TicketType.RECHARGE: ("客户申请充值，需上门办理",),
    TicketType.REPAIR: (
        "出水量明显变小",
        "机器底部漏水",
        "不出热水",
        "显示屏报故障代码E1",
        "制水时噪音大",
        "出水有异味",
        "机器一直制水不停",
        "指示灯不亮，无法开机",
    ),
    TicketType.FILTER_CHANGE: (
        "滤芯到期提醒，需更换PP棉和活性炭",
        "RO膜到期，预约更换",
        "出水变慢，要求更换滤芯",
    ),
    TicketType.WATER_TEST: ("客户反映水有异味，要求上门检测水质", "年度免费水质检测"),
    TicketType.COMPLAINT: (
        "工程师未按约定时间上门",
        "维修后问题仍未解决",
        "热线电话多次无人接听",
        "工程师服务态度差",
    ),
    TicketType.INQUIRY: ("咨询滤芯更换周期", "咨询水费充值方式", "咨询移机流程", "咨询新机型"),
}
_REJECT_REASONS = ("重复工单", "客户信息不全，无法核实", "不在服务范围内")
_CANCEL_REASONS = ("客户取消", "客户已自行解决", "重复报修，合并处理", "客户暂不需要上门")
_FOLLOW_UP_PRAISE = {5: ("服务很好，师傅很专业", "准时上门，非常满意"), 4: ("整体满意", "还不错")}
_FOLLOW_UP_COMPLAINTS = {
    Dissatisfaction.MISSED_CALL: "打了几次电话没人接",
    Dissatisfaction.SLOW_REPAIR: "等了好几天才上门",
    Dissatisfaction.INCOMPLETE_REPAIR: "问题没有彻底解决",
    Dissatisfaction.ATTITUDE: "师傅态度一般",
    Dissatisfaction.PRODUCT_FAULT: "机器老出问题",
    Dissatisfaction.PRICE: "觉得水费偏贵",
    Dissatisfaction.OTHER: "其他意见",
}

# --- Plans: compact in-memory rows, written once tickets have settled their final state ------


@dataclass(slots=True)
class _Tech:
    id: str
    user_id: str
    branch: str
    skills: frozenset[str]


@dataclass(slots=True)
class _Card:
    n: int
    status: CardStatus
    branch_id: str
    agent_id: str | None
    customer_id: str | None
    device_id: str | None
    created_at: dt.datetime
    activated_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    id: str = field(init=False)

    def __post_init__(self) -> None:
        self.id = _id("card", self.n)


@dataclass(slots=True)
class _Device:
    n: int
    model: _Model
    status: DeviceStatus
    branch_id: str
    agent_id: str | None
    created_at: dt.datetime
    customer_id: str | None = None
    address_id: str | None = None
    installed_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    price: Decimal = Decimal("0.00")
    supply_expires_on: dt.date | None = None
    bucket_balance: int = 0
    first_recharged_at: dt.datetime | None = None
    card: _Card | None = None
    referenced: bool = False  # some ticket names it
    # No further tickets: uninstalled, its card cancelled, or installed by a recent ticket.
    settled: bool = False
    id: str = field(init=False)

    def __post_init__(self) -> None:
        self.id = _id("device", self.n)


@dataclass(slots=True)
class _Customer:
    n: int
    place: _Place
    kind: str  # person, company, school, office
    agent_id: str | None
    address_id: str
    district: str
    street: str
    created_at: dt.datetime
    devices: list[_Device] = field(default_factory=list)
    id: str = field(init=False)
    branch_id: str = field(init=False)

    def __post_init__(self) -> None:
        self.id = _id("customer", self.n)
        self.branch_id = _ref("branch", self.place.code)


@dataclass(slots=True)
class _Step:
    status: enum.StrEnum
    at: dt.datetime
    actor_id: str | None
    reason: str = ""


@dataclass(slots=True)
class _JobPlan:
    branch_id: str
    tech: _Tech | None
    steps: list[_Step]
    appointment: tuple[dt.datetime, dt.datetime] | None
    reason: str


@dataclass(slots=True)
class _TicketPlan:
    type: TicketType
    priority: Priority
    channel: Channel
    customer: _Customer
    device: _Device | None
    card: _Card | None
    address_id: str
    description: str
    handler_id: str | None
    steps: list[_Step]
    reason: str
    job: _JobPlan | None
    score: int | None = None


# --- The loader -----------------------------------------------------------------------------


class _Writer:
    """Buffers rows per model and inserts them in chunks, always parents before children."""

    def __init__(self, session: AsyncSession, order: Sequence[type[Base]]) -> None:
        self._session = session
        self._order = order
        self._buffers: dict[type[Base], list[dict[str, Any]]] = {m: [] for m in order}
        self.counts: dict[type[Base], int] = defaultdict(int)

    async def add(self, model: type[Base], row: dict[str, Any]) -> None:
        buffer = self._buffers[model]
        buffer.append(row)
        if len(buffer) >= _CHUNK:
            await self.flush(upto=model)

    async def flush(self, *, upto: type[Base] | None = None) -> None:
        for model in self._order:
            rows = self._buffers[model]
            if rows:
                self._buffers[model] = []
                # render_nulls keeps None values in, so every row has the same columns and the
                # whole chunk goes out as one executemany instead of one batch per None pattern.
                stmt = insert(model).execution_options(render_nulls=True)
                await self._session.execute(stmt, rows)
                self.counts[model] += len(rows)
            if model is upto:
                return


_ORDER: tuple[type[Base], ...] = (
    Branch,
    Agent,
    ServiceOutlet,
    User,
    Technician,
    DeviceModel,
    FilterType,
    Customer,
    Address,
    Contact,
    Device,
    AccountCard,
    Ticket,
    TicketStatusChange,
    Job,
    JobStatusChange,
    FollowUp,
)


class _Builder:
    def __init__(self, session: AsyncSession, *, scale: int, seed: int, version: int) -> None:
        self.session = session
        self.scale = scale
        self.rng = random.Random(seed)
        self.version = version
        self.writer = _Writer(session, _ORDER)
        self.password_hash = argon2.PasswordHasher().hash(DEMO_PASSWORD)
        self.agents: dict[str, list[tuple[str, int]]] = {}  # branch code -> (agent id, weight)
        self.outlets: dict[str, list[str]] = {}
        self.techs: dict[str, list[_Tech]] = {}
        self.skilled: dict[tuple[str, TicketType], list[_Tech]] = {}
        self.clerks: dict[str, str] = {}
        self.customers: list[_Customer] = []
        self.devices: list[_Device] = []
        self.cards: list[_Card] = []
        self.tickets: list[_TicketPlan] = []
        self.in_field: set[str] = set()  # technicians already en route or on site
        self.next_address = scale  # customers own addresses 0..scale-1
        # Relocation destinations, written after the customers: (customer, n, district, street,
        # becomes the default, created).
        self.pending_addresses: list[tuple[_Customer, int, str, str, bool, dt.datetime]] = []
        self.moved_from: dict[str, dt.datetime] = {}  # addresses that stop being the default
        self.user_count = 0

    # Small helpers ----------------------------------------------------------------------------

    def record(
        self, id_: str, created_at: dt.datetime, updated_at: dt.datetime | None = None
    ) -> dict[str, Any]:
        return {
            "id": id_,
            "created_at": created_at,
            "updated_at": updated_at or created_at,
            "version": self.version,
            "deleted_at": None,
        }

    def person_name(self) -> str:
        surname = self.rng.choices(_SURNAME_POOL, cum_weights=_SURNAME_CUM)[0]
        pool = _GIVEN_1 if self.rng.random() < 0.3 else _GIVEN_2
        return surname + self.rng.choice(pool)

    def mobile(self) -> str:
        return self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def near(self, lat: float, lon: float, km: float) -> tuple[float, float]:
        """A point uniformly within ``km`` of (lat, lon)."""
        r = km * math.sqrt(self.rng.random())
        a = self.rng.uniform(0.0, 2 * math.pi)
        dlat = r * math.cos(a) / 111.32
        dlon = r * math.sin(a) / (111.32 * math.cos(math.radians(lat)))
        return round(lat + dlat, 6), round(lon + dlon, 6)

    def minutes(self, lo: float, hi: float) -> dt.timedelta:
        return dt.timedelta(seconds=self.rng.randint(int(lo * 60), int(hi * 60)))

    def working_before(self, t: dt.datetime) -> dt.datetime:
        """``t``, or the latest earlier moment inside office hours (08:00–20:00 local)."""
        local = t.astimezone(_CHINA)
        if 8 <= local.hour < 20:
            return t
        day = local.date() if local.hour >= 20 else local.date() - dt.timedelta(days=1)
        return _local(day, 12, self.rng.randrange(8 * 60))

    def working_after(self, t: dt.datetime) -> dt.datetime:
        local = t.astimezone(_CHINA)
        if 8 <= local.hour < 20:
            return t
        day = local.date() + dt.timedelta(days=1) if local.hour >= 20 else local.date()
        return _local(day, 9, self.rng.randrange(120))

    async def add_user(
        self,
        username: str,
        display_name: str,
        role: Role,
        branch: str,
        *,
        agent_id: str | None = None,
        customer_id: str | None = None,
    ) -> str:
        user_id = _ref("user", username)
        created = _BASE - dt.timedelta(days=400) + dt.timedelta(minutes=self.user_count)
        self.user_count += 1
        row = self.record(user_id, created) | {
            "username": username,
            "display_name": display_name,
            "password_hash": self.password_hash,
            "role": role,
            "branch_id": _ref("branch", branch),
            "agent_id": agent_id,
            "customer_id": customer_id,
            "phone": self.mobile(),
            "locale": "zh-CN",
            "is_active": True,
            "is_demo": True,
        }
        await self.writer.add(User, row)
        return user_id

    # Organisation -----------------------------------------------------------------------------

    async def branches(self) -> None:
        created = _BASE - dt.timedelta(days=1500)
        for place in (_HQ, *_PLACES):
            await self.writer.add(
                Branch,
                self.record(_ref("branch", place.code), created)
                | {
                    "code": place.code,
                    "name": place.name,
                    "name_en": place.name_en,
                    "kind": place.kind,
                    "parent_id": None if place is _HQ else _ref("branch", _HQ.code),
                    "province": place.province,
                    "city": place.city,
                    "address": place.address,
                    "phone": place.phone,
                    "latitude": place.lat,
                    "longitude": place.lon,
                    "is_active": True,
                },
            )

    async def agents_and_outlets(self) -> None:
        created = _BASE - dt.timedelta(days=900)
        for place in _PLACES:
            city_branch = place.kind is BranchKind.BRANCH
            levels = [AgentLevel.CITY_GENERAL]
            if city_branch:
                levels += [AgentLevel.SUB_DISTRIBUTOR, AgentLevel.SUB_DISTRIBUTOR]
            general_id = ""
            self.agents[place.code] = []
            for k, level in enumerate(levels, start=1):
                code = f"AG-{place.code}-{k:02d}"
                agent_id = _id("agent", code)
                if level is AgentLevel.CITY_GENERAL:
                    general_id = agent_id
                    territory = f"{place.city}全市"
                else:
                    picks = self.rng.sample(place.districts, 2)
                    territory = place.city + "、".join(d for d, _ in picks)
                name = (
                    place.short + self.rng.choice(_AGENT_WORDS) + self.rng.choice(_AGENT_SUFFIXES)
                )
                limit = 500_000 if level is AgentLevel.CITY_GENERAL else 100_000
                await self.writer.add(
                    Agent,
                    self.record(agent_id, created + dt.timedelta(days=k))
                    | {
                        "code": code,
                        "name": name,
                        "level": level,
                        "parent_agent_id": None if agent_id == general_id else general_id,
                        "branch_id": _ref("branch", place.code),
                        "territory": territory,
                        "credit_limit": Decimal(limit),
                        "currency": "CNY",
                        "contact_name": self.person_name(),
                        "contact_phone": self.mobile(),
                        "is_active": True,
                    },
                )
                # A general agent brings in about as many customers as its sub-distributors.
                self.agents[place.code].append((agent_id, 2 if k == 1 else 1))
            self.outlets[place.code] = []
            for k in range(1, 3 if city_branch else 2):
                code = f"SO-{place.code}-{k:02d}"
                district, streets = self.rng.choice(place.districts)
                outlet_id = _id("outlet", code)
                self.outlets[place.code].append(outlet_id)
                await self.writer.add(
                    ServiceOutlet,
                    self.record(outlet_id, created + dt.timedelta(days=30 + k))
                    | {
                        "code": code,
                        "name": f"{place.short}{district}服务网点",
                        "category": self.rng.choice(("综合服务网点", "维修站", "安装服务站")),
                        "level": self.rng.choice(tuple(OutletLevel)),
                        "branch_id": _ref("branch", place.code),
                        "agent_id": general_id if k == 2 else None,
                        "credit_limit": Decimal(50_000 * k),
                        "currency": "CNY",
                        "contact_name": self.person_name(),
                        "contact_phone": self.mobile(),
                        "address": (
                            f"{place.city}{district}{self.rng.choice(streets)}"
                            f"{self.rng.randint(1, 300)}号"
                        ),
                        "is_active": True,
                    },
                )

    async def staff(self, per_branch: dict[str, int]) -> None:
        for username, display, role in (
            ("admin", "系统管理员", Role.ADMIN),
            ("hq", "孙丽华", Role.HQ),
            ("hotline", "陈静", Role.HOTLINE),
        ):
            await self.add_user(username, display, role, _HQ.code)
        named_clerks = {"SH": "李娜", "BJ": "王芳"}
        for place in _PLACES:
            code = place.code
            display = named_clerks.get(code) or self.person_name()
            self.clerks[code] = await self.add_user(
                f"clerk-{code.lower()}", display, Role.CLERK, code
            )
        await self.add_user("sales-sh-1", "黄敏", Role.SALES, "SH")
        await self.add_user("sales-bj-1", self.person_name(), Role.SALES, "BJ")
        await self.add_user(
            "agent-1", self.person_name(), Role.AGENT, "SH", agent_id=self.agents["SH"][0][0]
        )
        named_techs = {"tech-sh-1": "张伟", "tech-sh-2": "王强", "tech-bj-1": "刘洋"}
        field_skills = (
            TicketType.INSTALL,
            TicketType.UNINSTALL,
            TicketType.RELOCATE,
            TicketType.RECHARGE,
            TicketType.CARD_CANCEL,
        )
        core_skills = (TicketType.REPAIR, TicketType.FILTER_CHANGE, TicketType.WATER_TEST)
        for place in _PLACES:
            floor = 2 if place.kind is BranchKind.BRANCH else 1
            count = max(floor, round(per_branch[place.code] / 40))
            self.techs[place.code] = []
            for k in range(1, count + 1):
                username = f"tech-{place.code.lower()}-{k}"
                display = named_techs.get(username) or self.person_name()
                user_id = await self.add_user(username, display, Role.TECHNICIAN, place.code)
                if username == "tech-sh-1":
                    skills = [*core_skills, *field_skills]
                else:
                    chances = (0.7, 0.6, 0.5, 0.5, 0.3)
                    extra = [
                        s
                        for s, p in zip(field_skills, chances, strict=True)
                        if self.rng.random() < p
                    ]
                    skills = [*core_skills, *extra]
                lat, lon = self.near(place.lat, place.lon, 8.0)
                outlet = self.outlets[place.code][0] if k > 2 and self.rng.random() < 0.25 else None
                tech_id = _id("technician", username)
                await self.writer.add(
                    Technician,
                    self.record(tech_id, _BASE - dt.timedelta(days=400))
                    | {
                        "user_id": user_id,
                        "branch_id": _ref("branch", place.code),
                        "outlet_id": outlet,
                        "skills": [str(s) for s in skills],
                        "home_latitude": lat,
                        "home_longitude": lon,
                        "home_cell": cells.cell(lat, lon),
                        "shift_start": dt.time(8, 30),
                        "shift_end": dt.time(17, 30),
                        "is_active": True,
                    },
                )
                self.techs[place.code].append(
                    _Tech(tech_id, user_id, place.code, frozenset(str(s) for s in skills))
                )

    async def catalogue(self) -> None:
        created = _BASE - dt.timedelta(days=1500)
        for model in _MODELS:
            model_id = _ref("device-model", model.code)
            await self.writer.add(
                DeviceModel,
                self.record(model_id, created)
                | {
                    "code": model.code,
                    "name": model.name,
                    "supply_mode": model.supply_mode,
                    "list_price": model.list_price,
                    "currency": "CNY",
                    "is_active": True,
                },
            )
            for stage, (name, days) in enumerate(model.filters, start=1):
                await self.writer.add(
                    FilterType,
                    self.record(_id("filter-type", f"{model.code}.{stage}"), created)
                    | {
                        "device_model_id": model_id,
                        "stage": stage,
                        "name": name,
                        "lifetime_days": days,
                    },
                )

    # Customers --------------------------------------------------------------------------------

    def plan_owners(self) -> list[tuple[_Place, str | None, str | None]]:
        """Branch, agent and salesperson of every customer.

        The first dozen are Shanghai customers the featured accounts point at: customer-1's own
        (direct), five of agent-1's and five of sales-sh-1's.
        """
        agent_1 = self.agents["SH"][0][0]
        sales = {"SH": _ref("user", "sales-sh-1"), "BJ": _ref("user", "sales-bj-1")}
        owners: list[tuple[_Place, str | None, str | None]] = [(_SH, None, None)]
        owners += [(_SH, agent_1, None)] * 5 + [(_SH, None, sales["SH"])] * 5
        weights = list(itertools.accumulate(p.weight for p in _PLACES))
        for _ in range(len(owners), self.scale):
            place = self.rng.choices(_PLACES, cum_weights=weights)[0]
            agent_id = sales_id = None
            if self.rng.random() < 0.2:
                ids, agent_weights = zip(*self.agents[place.code], strict=True)
                agent_id = self.rng.choices(ids, agent_weights)[0]
            elif place.code in sales and self.rng.random() < 0.15:
                sales_id = sales[place.code]
            owners.append((place, agent_id, sales_id))
        return owners

    def organisation_name(self, kind: str, place: _Place, district: str, street: str) -> str:
        word = self.rng.choice(_TRADE_WORDS)
        if kind == "company":
            return f"{place.short}{word}{self.rng.choice(_INDUSTRIES)}有限公司"
        if kind == "school":
            return self.rng.choice(
                (
                    f"{place.short}市第{_cn_number(self.rng.randint(1, 60))}中学",
                    f"{district}实验小学",
                    f"{district}第{_cn_number(self.rng.randint(1, 20))}小学",
                    f"{place.short}{word}幼儿园",
                )
            )
        return self.rng.choice(
            (
                f"{street}办事处",
                f"{place.short}{word}律师事务所",
                f"{place.short}{word}会计师事务所",
            )
        )

    async def customers_and_addresses(
        self, owners: list[tuple[_Place, str | None, str | None]]
    ) -> None:
        tiers = tuple(CustomerTier)  # VIP, GOLD, SILVER, IRON
        for n, (place, agent_id, sales_id) in enumerate(owners):
            roll = 0.0 if n == 0 else self.rng.random()
            kinds = (0.9, "person"), (0.96, "company"), (0.985, "school"), (1.0, "office")
            kind = next(k for bound, k in kinds if roll < bound)
            district, streets = self.rng.choice(place.districts)
            street = self.rng.choice(streets)
            if kind == "person":
                name = self.person_name()
                tier = self.rng.choices(tiers, cum_weights=(2, 10, 30, 100))[0]
            else:
                name = self.organisation_name(kind, place, district, street)
                tier = self.rng.choices(tiers, cum_weights=(15, 45, 75, 100))[0]
            phone = self.mobile()
            created = _BASE - dt.timedelta(
                days=self.rng.randint(20, 1400), seconds=self.rng.randrange(86400)
            )
            customer = _Customer(
                n, place, kind, agent_id, _id("address", n), district, street, created
            )
            self.customers.append(customer)
            await self.writer.add(
                Customer,
                self.record(customer.id, created)
                | {
                    "code": f"C{n + 1:08d}",
                    "name": name,
                    "kind": CustomerKind.PERSON if kind == "person" else CustomerKind.ORGANIZATION,
                    "tier": tier,
                    "phone": phone,
                    "owner_kind": OwnerKind.AGENT if agent_id else OwnerKind.BRANCH,
                    "branch_id": customer.branch_id,
                    "agent_id": agent_id,
                    "sales_user_id": sales_id,
                    # Round-robin, so the random stream (and the rest of the data) is unchanged.
                    "service_technician_id": self.techs[place.code][
                        n % len(self.techs[place.code])
                    ].id
                    if self.techs.get(place.code)
                    else None,
                    "note": "VIP客户，优先上门" if tier is CustomerTier.VIP else "",
                    "is_active": True,
                },
            )
            label = "家" if kind == "person" else "单位"
            await self.add_address(
                customer, n, district, street, label=label, default=True, org_name=name
            )
            if kind == "person" and self.rng.random() < 0.7:
                contact_name, contact_phone, relation = name, phone, "本人"
            elif kind == "person":
                relation = self.rng.choice(("配偶", "子女", "父母"))
                contact_name = (
                    self.person_name()
                    if relation == "配偶"
                    else name[0] + self.rng.choice(_GIVEN_2)
                )
                contact_phone = self.mobile()
            else:
                relation = self.rng.choice(("行政", "后勤", "总务处", "办公室"))
                contact_name, contact_phone = self.person_name(), self.mobile()
            await self.writer.add(
                Contact,
                self.record(_id("contact", n), created)
                | {
                    "customer_id": customer.id,
                    "name": contact_name,
                    "phone": contact_phone,
                    "relation": relation,
                    "is_primary": True,
                },
            )
            if n == 0:
                await self.writer.flush()
                await self.add_user(
                    "customer-1", name, Role.CUSTOMER, "SH", customer_id=customer.id
                )

    async def add_address(
        self,
        customer: _Customer,
        n: int,
        district: str,
        street: str,
        *,
        label: str,
        default: bool,
        org_name: str = "",
        created: dt.datetime | None = None,
    ) -> str:
        place = customer.place
        if customer.kind == "person":
            community = self.rng.choice(_COMMUNITIES)
            building = f"{self.rng.randint(1, 30)}号楼"
            room = f"{self.rng.randint(1, 33)}{self.rng.randint(1, 4):02d}室"
        elif customer.kind == "school":
            community, building, room = org_name, self.rng.choice(("教学楼", "行政楼", "食堂")), ""
        else:
            word = self.rng.choice(_TRADE_WORDS)
            community = word + self.rng.choice(("大厦", "商务中心", "科技园"))
            building = self.rng.choice(("A座", "B座", "1号楼", "2号楼"))
            room = f"{self.rng.randint(2, 28)}{self.rng.randint(1, 20):02d}室"
        lat, lon = self.near(place.lat, place.lon, 5.0)
        address_id = _id("address", n)
        await self.writer.add(
            Address,
            self.record(address_id, created or customer.created_at)
            | {
                "customer_id": customer.id,
                "label": label,
                "province": place.province,
                "city": place.city,
                "district": district,
                "street": street,
                "community": community,
                "building": building,
                "room": room,
                "postal_code": place.postal_code,
                "latitude": lat,
                "longitude": lon,
                "is_approximate": (approximate := self.rng.random() < 0.05),
                "coordinate_source": "centroid" if approximate else "client",
                "is_default": default,
            },
        )
        return address_id

    # Devices and cards ------------------------------------------------------------------------

    def new_device(self, customer: _Customer, installed_at: dt.datetime) -> _Device:
        models, cum_weights = _MODEL_CHOICE[customer.kind]
        model = self.rng.choices(models, cum_weights=cum_weights)[0]
        discount = self.rng.choice((Decimal("1"), Decimal("0.95"), Decimal("0.9"), Decimal("0.8")))
        device = _Device(
            n=len(self.devices),
            model=model,
            status=DeviceStatus.INSTALLED,
            branch_id=customer.branch_id,
            agent_id=customer.agent_id,
            created_at=installed_at - self.minutes(60 * 24, 60 * 24 * 30),
            customer_id=customer.id,
            address_id=customer.address_id,
            installed_at=installed_at,
            updated_at=installed_at,
            price=(model.list_price * discount).quantize(Decimal("0.01")),
        )
        if model.supply_mode is SupplyMode.MONTHLY:
            roll = self.rng.random()
            if roll < 0.1:
                days = -self.rng.randint(1, 120)  # lapsed
            elif roll < 0.25:
                days = self.rng.randint(0, 30)  # expiring soon
            else:
                days = self.rng.randint(31, 400)
            # A machine installed lately cannot have lapsed yet: it starts with a month or more.
            installed_on = installed_at.astimezone(_CHINA).date()
            device.supply_expires_on = max(
                _TODAY + dt.timedelta(days=days), installed_on + dt.timedelta(days=30)
            )
        else:
            low = self.rng.random() < 0.1
            device.bucket_balance = self.rng.randint(0, 3) if low else self.rng.randint(5, 120)
        if self.rng.random() < 0.95:
            device.first_recharged_at = installed_at + self.minutes(10, 120)
        self.devices.append(device)
        customer.devices.append(device)
        card = _Card(
            n=len(self.cards),
            status=CardStatus.ACTIVE,
            branch_id=customer.branch_id,
            agent_id=customer.agent_id,
            customer_id=customer.id,
            device_id=device.id,
            created_at=device.created_at,
            activated_at=installed_at,
        )
        self.cards.append(card)
        device.card = card
        return device

    def plan_devices(self) -> None:
        for customer in self.customers:
            if customer.kind == "person":
                count = 2 if self.rng.random() < 0.15 else 1
            else:
                count = self.rng.randint(
                    *{"company": (1, 3), "school": (2, 4), "office": (1, 2)}[customer.kind]
                )
            for k in range(count):
                first = customer.created_at + self.minutes(60, 60 * 24 * 10)
                later = first + dt.timedelta(days=self.rng.randint(30, 400) * k)
                self.new_device(
                    customer, self.working_before(min(later, _BASE - dt.timedelta(days=2)))
                )
        created = _BASE - dt.timedelta(days=60)
        for place in _PLACES:
            branch_id = _ref("branch", place.code)
            owners: list[str | None] = [None] * self.rng.randint(3, 6)
            owners += [agent_id for agent_id, _ in self.agents[place.code]]
            for agent_id in owners:
                model = self.rng.choice(_MODELS)
                self.devices.append(
                    _Device(
                        len(self.devices),
                        model,
                        DeviceStatus.IN_STOCK,
                        branch_id,
                        agent_id,
                        created,
                    )
                )
            stock_cards: list[tuple[CardStatus, str | None]] = [(CardStatus.IN_STOCK, None)] * 8
            stock_cards += [(CardStatus.AWAITING_ACTIVATION, None)] * 3
            stock_cards += [
                (CardStatus.IN_STOCK, a) for a, _ in self.agents[place.code] for _ in range(3)
            ]
            for status, agent_id in stock_cards:
                card = _Card(len(self.cards), status, branch_id, agent_id, None, None, created)
                if status is CardStatus.AWAITING_ACTIVATION:
                    card.activated_at = created - dt.timedelta(days=self.rng.randint(100, 700))
                    card.cancelled_at = created - dt.timedelta(days=self.rng.randint(1, 90))
                    card.created_at = card.activated_at - dt.timedelta(days=3)
                self.cards.append(card)

    # Tickets ----------------------------------------------------------------------------------

    def pick_tech(self, branch: str, ticket_type: TicketType, *, field: bool) -> _Tech | None:
        key = (branch, ticket_type)
        if key not in self.skilled:
            techs = self.techs[branch]
            self.skilled[key] = [t for t in techs if ticket_type in t.skills] or techs
        skilled = self.skilled[key]
        if field:
            skilled = [t for t in skilled if t.id not in self.in_field]
        return self.rng.choice(skilled) if skilled else None

    def plan_ticket(
        self,
        customer: _Customer,
        ticket_type: TicketType,
        status: TicketStatus,
        *,
        tech: _Tech | None = None,
        slot: tuple[dt.date, int] | None = None,
    ) -> None:
        rng = self.rng
        chain = self.chain(status)
        done = TicketStatus.COMPLETED in chain
        device: _Device | None = None
        active = [
            d for d in customer.devices if not d.settled and d.status is DeviceStatus.INSTALLED
        ]
        if ticket_type in _TAKES_DEVICE and done:
            fresh = [d for d in active if not d.referenced]
            if fresh:
                device = rng.choice(fresh)
            else:
                ticket_type = TicketType.REPAIR
        needs_device = ticket_type in _NEEDS_DEVICE or (
            ticket_type is TicketType.COMPLAINT and rng.random() < 0.5
        )
        if needs_device and device is None:
            if active:
                device = rng.choice(active)
            elif ticket_type is not TicketType.COMPLAINT:
                ticket_type = TicketType.INSTALL
        branch = customer.place.code
        if TicketStatus.ASSIGNED in chain and tech is None:
            in_field = status in (TicketStatus.EN_ROUTE, TicketStatus.ON_SITE)
            tech = self.pick_tech(branch, ticket_type, field=in_field)
            if tech is None:  # everyone is already out: it waits for its appointment instead
                status, chain = TicketStatus.APPOINTED, self.chain(TicketStatus.APPOINTED)
                tech = self.pick_tech(branch, ticket_type, field=False)
        if tech is not None and status in (TicketStatus.EN_ROUTE, TicketStatus.ON_SITE):
            self.in_field.add(tech.id)
        earliest = device.installed_at if device and device.installed_at else customer.created_at
        times, appointment = self.timeline(chain, slot, earliest)
        hotline, hq, clerk = _ref("user", "hotline"), _ref("user", "hq"), self.clerks[branch]
        tech_user = tech.user_id if tech else None
        actors: dict[TicketStatus, str | None] = {
            TicketStatus.CREATED: hotline,
            TicketStatus.APPROVED: hq,
            TicketStatus.REJECTED: hq,
            TicketStatus.DISPATCHED: hotline,
            TicketStatus.ASSIGNED: clerk,
            TicketStatus.APPOINTED: clerk,
            TicketStatus.EN_ROUTE: tech_user,
            TicketStatus.ON_SITE: tech_user,
            TicketStatus.COMPLETED: tech_user,
            TicketStatus.FOLLOW_UP_DUE: clerk,
            TicketStatus.CLOSED: hotline,
            TicketStatus.CANCELLED: hotline,
        }
        reason = ""
        if status is TicketStatus.REJECTED:
            reason = rng.choice(_REJECT_REASONS)
        elif status is TicketStatus.CANCELLED:
            reason = rng.choice(_CANCEL_REASONS)
        steps = [
            _Step(s, times[s], actors[s], reason if s is status and reason else "") for s in chain
        ]
        job = self.plan_job(customer, chain, times, tech, appointment, actors, reason)
        card: _Card | None = None
        description = rng.choice(_DESCRIPTIONS[ticket_type])
        address_id = device.address_id if device and device.address_id else customer.address_id
        finished = times.get(TicketStatus.COMPLETED)
        if device is not None:
            device.referenced = True
            if ticket_type is TicketType.RECHARGE:
                description = (
                    f"客户续费{rng.choice((3, 6, 12))}个月"
                    if device.model.supply_mode is SupplyMode.MONTHLY
                    else f"客户充值{rng.choice((20, 30, 50))}桶"
                )
            if ticket_type is TicketType.CARD_CANCEL:
                card = device.card
        if ticket_type is TicketType.RELOCATE:
            description = self.plan_relocation(customer, device, times, description)
        if finished is not None and device is not None:
            if ticket_type is TicketType.UNINSTALL:
                device.settled = True
                device.status = DeviceStatus.UNINSTALLED
                device.customer_id = device.address_id = None
                device.updated_at = finished
                self.cancel_card(device.card, finished)
            elif ticket_type is TicketType.CARD_CANCEL:
                device.settled = True
                self.cancel_card(device.card, finished)
        if ticket_type is TicketType.INSTALL and finished is not None:
            device = self.new_device(customer, finished)
            device.referenced = device.settled = True
            card = device.card
            if card is not None:
                card.created_at = times[TicketStatus.CREATED]
        priority = rng.choices(tuple(Priority), (10, 60, 22, 8))[0]
        if ticket_type is TicketType.COMPLAINT:
            priority = rng.choice((Priority.HIGH, Priority.URGENT, Priority.NORMAL))
        channel = rng.choices(
            (Channel.HOTLINE, Channel.WECHAT, Channel.APP, Channel.WALK_IN, Channel.AGENT),
            (70, 12, 10, 3, 5 if customer.agent_id else 0),
        )[0]
        self.tickets.append(
            _TicketPlan(
                type=ticket_type,
                priority=priority,
                channel=channel,
                customer=customer,
                device=device,
                card=card,
                address_id=address_id,
                description=description,
                handler_id=clerk if TicketStatus.DISPATCHED in chain else None,
                steps=steps,
                reason=reason,
                job=job,
                score=self.score() if status is TicketStatus.CLOSED else None,
            )
        )

    def score(self) -> int:
        return self.rng.choices((5, 4, 3, 2, 1), (50, 30, 10, 6, 4))[0]

    def cancel_card(self, card: _Card | None, at: dt.datetime) -> None:
        """An account closed by the ticket: the card returns to awaiting activation."""
        if card is not None:
            card.status = CardStatus.AWAITING_ACTIVATION
            card.customer_id = card.device_id = None
            card.cancelled_at = at

    def plan_relocation(
        self,
        customer: _Customer,
        device: _Device | None,
        times: dict[TicketStatus, dt.datetime],
        description: str,
    ) -> str:
        """Every move names its destination; a closed move leaves the machine there."""
        district, streets = self.rng.choice(customer.place.districts)
        street = self.rng.choice(streets)
        n = self.next_address
        self.next_address += 1
        address_id = _id("address", n)
        moved = TicketStatus.CLOSED in times and device is not None
        # Only a customer's first completed move changes their default address.
        becomes_default = moved and customer.address_id == _id("address", customer.n)
        self.pending_addresses.append(
            (customer, n, district, street, becomes_default, times[TicketStatus.CREATED])
        )
        if becomes_default:
            self.moved_from[customer.address_id] = times[TicketStatus.CLOSED]
            customer.address_id = address_id
        if moved and device is not None:
            device.address_id = address_id
            device.updated_at = times[TicketStatus.CLOSED]
        return f"{description}，新地址：{customer.place.city}{district}{street}"

    def chain(self, status: TicketStatus) -> list[TicketStatus]:
        if status is TicketStatus.REJECTED:
            return [TicketStatus.CREATED, TicketStatus.REJECTED]
        if status is TicketStatus.CANCELLED:
            last = self.rng.randrange(5)  # CREATED .. APPOINTED
            return [*_SPINE[: last + 1], TicketStatus.CANCELLED]
        return list(_SPINE[: _SPINE.index(status) + 1])

    def timeline(
        self,
        chain: list[TicketStatus],
        slot: tuple[dt.date, int] | None,
        earliest: dt.datetime,
    ) -> tuple[dict[TicketStatus, dt.datetime], tuple[dt.datetime, dt.datetime] | None]:
        """When each step happened: in office hours, after ``earliest`` (the customer's or the
        device's start) and before the demo's "now"."""
        rng = self.rng
        # Days a finished ticket may lie back, leaving room for the steps before its last one.
        reach = max(5, min(90, (_TODAY - earliest.astimezone(_CHINA).date()).days - 6))
        final = chain[-1]
        times: dict[TicketStatus, dt.datetime] = {}
        appointment: tuple[dt.datetime, dt.datetime] | None = None
        if TicketStatus.EN_ROUTE in chain:
            # A visit: pick its day and window, then the trip around it.
            if final is TicketStatus.EN_ROUTE:
                day, hour = _TODAY, 10
            elif final is TicketStatus.ON_SITE:
                day, hour = _TODAY, 9
            else:
                back = {TicketStatus.COMPLETED: (1, 3), TicketStatus.FOLLOW_UP_DUE: (1, 6)}
                day = _TODAY - dt.timedelta(days=rng.randint(*back.get(final, (5, reach))))
                hour = rng.choice(_SLOTS)
            start = _local(day, hour)
            appointment = (start, start + dt.timedelta(hours=2))
            times[TicketStatus.EN_ROUTE] = start - self.minutes(15, 45)
            on_site = max(
                times[TicketStatus.EN_ROUTE] + self.minutes(10, 20), start + self.minutes(-10, 40)
            )
            if final is TicketStatus.ON_SITE:
                on_site = min(on_site, _NOW - self.minutes(5, 20))
            if TicketStatus.ON_SITE in chain:
                times[TicketStatus.ON_SITE] = on_site
            if TicketStatus.COMPLETED in chain:
                times[TicketStatus.COMPLETED] = on_site + self.minutes(20, 100)
            if TicketStatus.FOLLOW_UP_DUE in chain:
                times[TicketStatus.FOLLOW_UP_DUE] = times[TicketStatus.COMPLETED] + self.minutes(
                    5, 40
                )
            if TicketStatus.CLOSED in chain:
                times[TicketStatus.CLOSED] = self.working_after(
                    times[TicketStatus.FOLLOW_UP_DUE] + self.minutes(180, 72 * 60)
                )
            later = TicketStatus.EN_ROUTE
        else:
            window = {
                TicketStatus.CREATED: (0, 6 * 60),
                TicketStatus.APPROVED: (0, 10 * 60),
                TicketStatus.DISPATCHED: (0, 20 * 60),
                TicketStatus.ASSIGNED: (0, 30 * 60),
                TicketStatus.APPOINTED: (0, 40 * 60),
            }.get(final, (120, reach * 24 * 60))
            times[final] = self.working_before(_NOW - self.minutes(*window))
            later = final
        gaps = {  # minutes between a step and the one after it
            TicketStatus.CREATED: (5, 120),
            TicketStatus.APPROVED: (5, 60),
            TicketStatus.DISPATCHED: (15, 360),
            TicketStatus.ASSIGNED: (10, 180),
            TicketStatus.APPOINTED: (120, 48 * 60),
        }
        for status in reversed(chain[: chain.index(later)]):
            if final in (TicketStatus.REJECTED, TicketStatus.CANCELLED) and status is chain[-2]:
                gap = (10, 24 * 60)
            else:
                gap = gaps[status]
            times[status] = self.working_before(times[later] - self.minutes(*gap))
            later = status
        if appointment is None and TicketStatus.APPOINTED in chain:
            appointed = times[TicketStatus.APPOINTED].astimezone(_CHINA)
            if slot is not None:
                day, hour = slot
            elif final is TicketStatus.APPOINTED:
                # Still ahead: later today, or in the next few days.
                day = _TODAY + dt.timedelta(days=rng.choice((0, 0, 1, 1, 2, 3)))
                hour = rng.choice(_SLOTS[1:] if day == _TODAY else _SLOTS)
            else:
                day = appointed.date() + dt.timedelta(days=rng.randint(1, 2))
                hour = rng.choice(_SLOTS)
            start = _local(day, hour)
            appointment = (start, start + dt.timedelta(hours=2))
        return times, appointment

    def plan_job(
        self,
        customer: _Customer,
        chain: list[TicketStatus],
        times: dict[TicketStatus, dt.datetime],
        tech: _Tech | None,
        appointment: tuple[dt.datetime, dt.datetime] | None,
        actors: dict[TicketStatus, str | None],
        reason: str,
    ) -> _JobPlan | None:
        """The visit behind a dispatched ticket, its trail following the ticket's."""
        if TicketStatus.DISPATCHED not in chain:
            return None
        steps = [
            _Step(
                JobStatus.PENDING, times[TicketStatus.DISPATCHED], actors[TicketStatus.DISPATCHED]
            )
        ]
        if TicketStatus.ASSIGNED in chain:
            steps.append(
                _Step(
                    JobStatus.ASSIGNED, times[TicketStatus.ASSIGNED], actors[TicketStatus.ASSIGNED]
                )
            )
        if TicketStatus.EN_ROUTE in chain:
            en_route = times[TicketStatus.EN_ROUTE]
            # Engineers accept soon after the appointment is agreed, within office hours.
            accepted = min(times[TicketStatus.APPOINTED] + self.minutes(1, 20), en_route)
            steps.append(_Step(JobStatus.ACCEPTED, accepted, actors[TicketStatus.EN_ROUTE]))
            for ticket_status, job_status in (
                (TicketStatus.EN_ROUTE, JobStatus.EN_ROUTE),
                (TicketStatus.ON_SITE, JobStatus.ON_SITE),
                (TicketStatus.COMPLETED, JobStatus.COMPLETED),
            ):
                if ticket_status in chain:
                    steps.append(_Step(job_status, times[ticket_status], actors[ticket_status]))
        if chain[-1] is TicketStatus.CANCELLED:
            at, actor = times[TicketStatus.CANCELLED], actors[TicketStatus.CANCELLED]
            steps.append(_Step(JobStatus.CANCELLED, at, actor, reason))
        return _JobPlan(
            branch_id=customer.branch_id,
            tech=tech if TicketStatus.ASSIGNED in chain else None,
            steps=steps,
            appointment=appointment,
            reason=reason if chain[-1] is TicketStatus.CANCELLED else "",
        )

    def plan_tickets(self) -> None:
        # Featured first, so they get the Shanghai customers' devices before anyone else.
        sh1 = self.techs["SH"][0]
        self.in_field.add(sh1.id)
        tomorrow = _TODAY + dt.timedelta(days=1)
        featured: tuple[tuple[int, TicketType, TicketStatus, tuple[dt.date, int] | None], ...] = (
            (0, TicketType.REPAIR, TicketStatus.APPOINTED, (_TODAY, 15)),  # customer-1
            (0, TicketType.FILTER_CHANGE, TicketStatus.CLOSED, None),
            (6, TicketType.REPAIR, TicketStatus.EN_ROUTE, None),
            (1, TicketType.FILTER_CHANGE, TicketStatus.APPOINTED, (_TODAY, 13)),
            (7, TicketType.INSTALL, TicketStatus.APPOINTED, (tomorrow, 9)),
            (2, TicketType.WATER_TEST, TicketStatus.ASSIGNED, None),
        )
        for n, ticket_type, status, slot in featured:
            self.plan_ticket(self.customers[n], ticket_type, status, tech=sh1, slot=slot)
        statuses, status_weights = zip(*_TICKET_STATUS_WEIGHTS.items(), strict=True)
        types, type_weights = zip(*_TICKET_TYPE_WEIGHTS.items(), strict=True)
        for _ in range(len(self.tickets), round(self.scale * 0.3)):
            customer = self.rng.choice(self.customers)
            ticket_type = self.rng.choices(types, type_weights)[0]
            status = self.rng.choices(statuses, status_weights)[0]
            self.plan_ticket(customer, ticket_type, status)

    # Writing ----------------------------------------------------------------------------------

    async def write_relocation_addresses(self) -> None:
        for customer, n, district, street, becomes_default, created in self.pending_addresses:
            await self.add_address(
                customer,
                n,
                district,
                street,
                label="新址",
                default=becomes_default,
                created=created,
            )

    async def write_devices_and_cards(self) -> None:
        for d in self.devices:
            opened = d.installed_at.astimezone(_CHINA).date() if d.installed_at else None
            await self.writer.add(
                Device,
                self.record(d.id, d.created_at, d.updated_at)
                | {
                    "serial_number": f"WS{(opened or _TODAY).year % 100:02d}{d.n + 1:08d}",
                    "device_model_id": _ref("device-model", d.model.code),
                    "contract_number": f"HT{opened.year}{d.n + 1:07d}" if opened else "",
                    "status": d.status,
                    "opened_on": opened,
                    "price": d.price,
                    "currency": "CNY",
                    "branch_id": d.branch_id,
                    "agent_id": d.agent_id,
                    "customer_id": d.customer_id,
                    "address_id": d.address_id,
                    "supply_mode": d.model.supply_mode,
                    "supply_expires_on": d.supply_expires_on,
                    "bucket_balance": d.bucket_balance,
                    "first_recharged_at": d.first_recharged_at,
                    "installed_at": d.installed_at,
                },
            )
        for card in self.cards:
            number = f"8860{self.rng.randrange(10**4):04d}{card.n + 1:08d}"
            secret = f"{self.rng.randrange(10**6):06d}"
            digest = hashlib.sha256(f"{number}:{secret}".encode()).hexdigest()
            updated = card.cancelled_at or card.activated_at or card.created_at
            await self.writer.add(
                AccountCard,
                self.record(card.id, card.created_at, updated)
                | {
                    "card_number": number,
                    "secret_hash": f"sha256${digest}",
                    "status": card.status,
                    "branch_id": card.branch_id,
                    "agent_id": card.agent_id,
                    "customer_id": card.customer_id,
                    "device_id": card.device_id,
                    "activated_at": card.activated_at,
                    "cancelled_at": card.cancelled_at,
                },
            )

    async def write_tickets(self) -> tuple[int, int]:
        """Numbers follow creation order, as a live system would have handed them out."""
        tickets = sorted(self.tickets, key=lambda t: t.steps[0].at)
        jobs: list[tuple[dt.datetime, int, _JobPlan]] = []
        for number, t in enumerate(tickets, start=1):
            ticket_id = _id("ticket", number)
            created, last = t.steps[0], t.steps[-1]
            closed = last.status in (
                TicketStatus.CLOSED,
                TicketStatus.REJECTED,
                TicketStatus.CANCELLED,
            )
            await self.writer.add(
                Ticket,
                self.record(ticket_id, created.at, last.at)
                | {
                    "number": f"T{number:010d}",
                    "type": t.type,
                    "status": last.status,
                    "priority": t.priority,
                    "channel": t.channel,
                    "customer_id": t.customer.id,
                    "branch_id": t.customer.branch_id,
                    "device_id": t.device.id if t.device else None,
                    "card_id": t.card.id if t.card else None,
                    "address_id": t.address_id,
                    "description": t.description,
                    "created_by_id": created.actor_id,
                    "handler_id": t.handler_id,
                    "department": (
                        "客户服务部"
                        if t.type in (TicketType.COMPLAINT, TicketType.INQUIRY)
                        else "售后服务部"
                    ),
                    "due_at": created.at + dt.timedelta(hours=_SLA_HOURS[t.priority]),
                    "closed_at": last.at if closed else None,
                    "status_reason": t.reason,
                    "linked_ticket_id": None,
                    "revision": len(t.steps),
                },
            )
            await self.write_steps(
                TicketStatusChange, "ticket_id", ticket_id, f"ticket-status:{number}", t.steps
            )
            await self.write_follow_up(t, ticket_id, number)
            if t.job is not None:
                jobs.append((t.job.steps[0].at, number, t.job))
        jobs.sort(key=lambda j: (j[0], j[1]))
        for job_number, (_, ticket_number, job) in enumerate(jobs, start=1):
            await self.write_job(job, job_number, _id("ticket", ticket_number))
        return len(tickets), len(jobs)

    async def write_steps(
        self, model: type[Base], parent_key: str, parent_id: str, kind: str, steps: list[_Step]
    ) -> None:
        previous: enum.StrEnum | None = None
        for k, step in enumerate(steps):
            await self.writer.add(
                model,
                self.record(_id(kind, k), step.at)
                | {
                    parent_key: parent_id,
                    "from_status": previous,
                    "to_status": step.status,
                    "actor_id": step.actor_id,
                    "at": step.at,
                    "reason": step.reason,
                },
            )
            previous = step.status

    async def write_follow_up(self, t: _TicketPlan, ticket_id: str, number: int) -> None:
        by_status = {s.status: s for s in t.steps}
        due = by_status.get(TicketStatus.FOLLOW_UP_DUE)
        if due is None:
            return
        closed = by_status.get(TicketStatus.CLOSED)
        row = self.record(_id("follow-up", number), due.at, closed.at if closed else None) | {
            "ticket_id": ticket_id,
            "status": FollowUpStatus.DONE if closed else FollowUpStatus.DUE,
            "due_at": due.at + dt.timedelta(days=1),
            "score": None,
            "dissatisfaction": None,
            "comment": "",
            "recorded_by_id": closed.actor_id if closed else None,
            "recorded_at": closed.at if closed else None,
        }
        if closed is not None and t.score is not None:
            row["score"] = t.score
            if t.score >= 4:
                row["comment"] = self.rng.choice(_FOLLOW_UP_PRAISE[t.score])
            else:
                category = self.rng.choice(tuple(Dissatisfaction))
                row["dissatisfaction"] = category
                row["comment"] = _FOLLOW_UP_COMPLAINTS[category]
        await self.writer.add(FollowUp, row)

    async def write_job(self, job: _JobPlan, number: int, ticket_id: str) -> None:
        job_id = _id("job", number)
        at = {s.status: s.at for s in job.steps}
        last = job.steps[-1]
        await self.writer.add(
            Job,
            self.record(job_id, job.steps[0].at, last.at)
            | {
                "number": f"J{number:010d}",
                "ticket_id": ticket_id,
                "branch_id": job.branch_id,
                "technician_id": job.tech.id if job.tech else None,
                "status": last.status,
                "appointment_start": job.appointment[0] if job.appointment else None,
                "appointment_end": job.appointment[1] if job.appointment else None,
                "accepted_at": at.get(JobStatus.ACCEPTED),
                "started_travel_at": at.get(JobStatus.EN_ROUTE),
                "arrived_at": at.get(JobStatus.ON_SITE),
                "completed_at": at.get(JobStatus.COMPLETED),
                "status_reason": job.reason,
                "revision": len(job.steps),
            },
        )
        await self.write_steps(JobStatusChange, "job_id", job_id, f"job-status:{number}", job.steps)

    async def set_counters(self, tickets: int, jobs: int) -> None:
        """Live numbering carries on after the last ticket and job number used here."""
        for name, value in (("ticket_number", tickets), ("job_number", jobs)):
            result = await self.session.execute(
                update(CounterRow).where(CounterRow.name == name).values(value=value)
            )
            if not getattr(result, "rowcount", 0):
                await self.session.execute(insert(CounterRow).values(name=name, value=value))

    async def retire_old_defaults(self) -> None:
        """A closed move makes the destination the customer's default address."""
        rows = [
            {"id": address_id, "is_default": False, "updated_at": at}
            for address_id, at in sorted(self.moved_from.items())
        ]
        if rows:  # an ORM bulk update by primary key, in one executemany
            await self.session.execute(update(Address), rows)

    # The whole load ---------------------------------------------------------------------------

    async def run(self) -> DemoSummary:
        await self.branches()
        await self.agents_and_outlets()
        owners = self.plan_owners()
        per_branch: dict[str, int] = defaultdict(int)
        for place, _, _ in owners:
            per_branch[place.code] += 1
        await self.staff(per_branch)
        await self.catalogue()
        await self.customers_and_addresses(owners)
        self.plan_devices()
        self.plan_tickets()
        await self.write_relocation_addresses()
        await self.write_devices_and_cards()
        tickets, jobs = await self.write_tickets()
        await self.writer.flush()
        await self.retire_old_defaults()
        await self.set_counters(tickets, jobs)
        counts = self.writer.counts
        return DemoSummary(
            branches=counts[Branch],
            users=counts[User],
            technicians=counts[Technician],
            agents=counts[Agent],
            customers=counts[Customer],
            devices=counts[Device],
            cards=counts[AccountCard],
            tickets=tickets,
            jobs=jobs,
        )


async def load_demo_data(
    session: AsyncSession, *, scale: int = 200, seed: int = 20261123
) -> DemoSummary:
    """Fill an empty, migrated database. `scale` = number of customers.

    Deterministic for a given (scale, seed). Does not commit (the caller owns the transaction).
    Raises DemoDataError if the database already holds branches, ValueError if `scale` is
    below 20 (the featured accounts need a dozen Shanghai customers).
    """
    if scale < _MIN_SCALE:
        raise ValueError(f"scale must be at least {_MIN_SCALE}")
    if (await session.execute(select(Branch.id).limit(1))).first() is not None:
        raise DemoDataError("the database already holds branches; demo data needs an empty one")
    # One version for the whole load, written into the rows themselves: bulk inserts bypass
    # the flush hook that stamps ORM-added rows.
    version = await session.run_sync(versioning.next_version)
    summary = await _Builder(session, scale=scale, seed=seed, version=version).run()
    await load_inventory(session, version=version)
    return summary
