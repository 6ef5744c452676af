"""What the demo's tickets are made of: how often each status and type occurs, and their texts."""

from __future__ import annotations

from ..domain.models.enums import Dissatisfaction, TicketStatus, TicketType

TICKET_STATUS_WEIGHTS: dict[TicketStatus, int] = {
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
TICKET_TYPE_WEIGHTS: dict[TicketType, int] = {
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
NEEDS_DEVICE = frozenset(
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
TAKES_DEVICE = frozenset({TicketType.UNINSTALL, TicketType.CARD_CANCEL, TicketType.RELOCATE})
DESCRIPTIONS: dict[TicketType, tuple[str, ...]] = {
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
REJECT_REASONS = ("重复工单", "客户信息不全，无法核实", "不在服务范围内")
CANCEL_REASONS = ("客户取消", "客户已自行解决", "重复报修，合并处理", "客户暂不需要上门")
FOLLOW_UP_PRAISE = {5: ("服务很好，师傅很专业", "准时上门，非常满意"), 4: ("整体满意", "还不错")}
FOLLOW_UP_COMPLAINTS = {
    Dissatisfaction.MISSED_CALL: "打了几次电话没人接",
    Dissatisfaction.SLOW_REPAIR: "等了好几天才上门",
    Dissatisfaction.INCOMPLETE_REPAIR: "问题没有彻底解决",
    Dissatisfaction.ATTITUDE: "师傅态度一般",
    Dissatisfaction.PRODUCT_FAULT: "机器老出问题",
    Dissatisfaction.PRICE: "觉得水费偏贵",
    Dissatisfaction.OTHER: "其他意见",
}
