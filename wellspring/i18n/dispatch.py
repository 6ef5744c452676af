"""Messages of geo-dispatch: geocoding, positions, suggestions, route plans. Code: (zh-CN, en); placeholders use str.format names."""

MESSAGES: dict[str, tuple[str, str]] = {
    # geo-dispatch and routes
    "INVALID_COORDINATES": (
        "坐标无效：纬度须在 -90 到 90 之间，经度须在 -180 到 180 之间。",
        "The coordinates are invalid: latitude must be -90 to 90, longitude -180 to 180.",
    ),
    "INVALID_ACCURACY": (
        "定位精度须在 0 到 {maximum} 米之间。",
        "The accuracy must be between 0 and {maximum} metres.",
    ),
    "LIMIT_OUT_OF_RANGE": ("数量须在 1 到 {maximum} 之间。", "The limit must be 1 to {maximum}."),
    "JOB_WITHOUT_COORDINATES": (
        "该派工单的地址没有坐标，也无法按区县估算，请先补全地址或进行地理编码。",
        "The job's address has no coordinates and no district to estimate them from; "
        "complete or geocode the address first.",
    ),
    "NO_TECHNICIANS": (
        "该分公司没有在职的工程师。",
        "The branch has no active engineers.",
    ),
    "NO_SKILLED_TECHNICIANS": (
        "该分公司没有具备此类工单技能的在职工程师，请先在工程师资料中添加该技能。",
        "No active engineer of the branch has the skill for this type of job; add it to an "
        "engineer's skills first.",
    ),
    "APPOINTMENT_DAY_OFF": (
        "{day} 不是该工程师的工作日（工作日：{days}，1 为周一）。",
        "{day} is the engineer's day off (working days: {days}, 1 = Monday).",
    ),
    "APPOINTMENT_OUTSIDE_SHIFT": (
        "预约时间不在该工程师的班次内（{shift_start}–{shift_end}）。",
        "The appointment is outside the engineer's shift ({shift_start}-{shift_end}).",
    ),
    "APPOINTMENT_OVERLAP": (
        "该时段与此工程师已预约的派工单 {number} 重叠。",
        "The window overlaps job {number}, already booked with this engineer.",
    ),
    "NO_SHIFTS": (
        "该日没有工程师当班（或今日班次已结束）。",
        "No engineer has a shift that day (or today's shifts are over).",
    ),
    "DATE_IN_PAST": ("不能为过去的日期排程。", "A day in the past cannot be planned."),
    "NOTHING_TO_PLAN": (
        "该日没有需要排程的派工单。",
        "There are no jobs to plan on that day.",
    ),
    "PLAN_NOT_PROPOSED": (
        "该路线方案已是 {status} 状态，不能再应用。",
        "The route plan is {status} and cannot be applied again.",
    ),
    "PLAN_OUTDATED": (
        "方案生成后派工单 {job} 已有变化，请重新排程。",
        "Job {job} changed after the plan was made; plan again.",
    ),
    "GEOCODER_NOT_CONFIGURED": (
        "未配置地理编码服务，地址坐标来自客户端或区县中心点。",
        "No geocoder is configured; coordinates come from the client or district centroids.",
    ),
    "GEOCODER_UNAVAILABLE": (
        "地理编码服务暂不可用或超时，地址未作修改，请稍后重试。",
        "The geocoder is unavailable or timed out; the address is unchanged. Try again later.",
    ),
    "ADDRESS_NOT_FOUND": (
        "地理编码服务找不到该地址。",
        "The geocoder could not find this address.",
    ),
    "UNPLACED_NO_COORDINATES": (
        "地址没有坐标，无法排入路线。",
        "The address has no coordinates, so it cannot be routed.",
    ),
    "UNPLACED_NO_SKILLED_TECHNICIAN": (
        "当班工程师中没有人具备此类工单的技能。",
        "No engineer on shift has the skill for this type of job.",
    ),
    "UNPLACED_OUTSIDE_SHIFTS": (
        "预约时间不在任何具备技能的工程师的班次内（含路程）。",
        "The appointment falls outside every skilled engineer's shift (travel included).",
    ),
    "UNPLACED_DAY_FULL": (
        "当日工程师的时间已排满。",
        "The engineers' day is full.",
    ),
    "UNPLACED_APPOINTMENT_PASSED": (
        "预约时间段已过，请与客户重新预约。",
        "The appointment window has passed; agree a new one with the customer.",
    ),
    "UNPLACED_TECHNICIAN_OFF_SHIFT": (
        "已接单的工程师当日不当班。",
        "The engineer who accepted the job is not on shift that day.",
    ),
}
