"""Messages of signing in, sessions and user accounts. Code: (zh-CN, en); placeholders use str.format names."""

MESSAGES: dict[str, tuple[str, str]] = {
    # authentication and sessions
    "UNAUTHENTICATED": (
        "请先登录，或登录已过期。",
        "Please sign in; your session is missing or has expired.",
    ),
    "FORBIDDEN": ("您没有执行此操作的权限。", "You are not allowed to do this."),
    "INVALID_CREDENTIALS": ("用户名或密码错误。", "The username or password is wrong."),
    "TOO_MANY_ATTEMPTS": (
        "登录失败次数过多，请在 {seconds} 秒后重试。",
        "Too many failed sign-ins. Try again in {seconds} seconds.",
    ),
    "INVALID_REFRESH_TOKEN": (
        "刷新令牌无效或已过期，请重新登录。",
        "The refresh token is invalid or has expired; please sign in again.",
    ),
    "SESSION_NOT_FOUND": ("找不到该会话。", "No such session."),
    "USER_NOT_FOUND": ("找不到该用户。", "No such user."),
    "WRONG_PASSWORD": ("当前密码不正确。", "The current password is wrong."),
    "TOO_MANY_WRONG_PASSWORDS": (
        "当前密码错误次数过多，请在 {seconds} 秒后再修改密码。",
        "Too many wrong current passwords. Try changing it again in {seconds} seconds.",
    ),
    # users
    "USERNAME_TAKEN": ("用户名 {username} 已被使用。", "The username {username} is taken."),
    "PASSWORD_TOO_SHORT": (
        "密码至少需要 {minimum} 个字符。",
        "The password needs at least {minimum} characters.",
    ),
    "UNKNOWN_BRANCH": ("找不到编号为 {value} 的分公司。", "No branch has the code {value}."),
    "UNKNOWN_AGENT": ("找不到编号为 {value} 的代理商。", "No agent has the code {value}."),
    "UNKNOWN_CUSTOMER": ("找不到编号为 {value} 的客户。", "No customer has the code {value}."),
    "ROLE_NEEDS_BRANCH": ("角色 {role} 必须属于一个分公司。", "The role {role} needs a branch."),
}
