"""Messages of media: uploads of photos, signatures and forms, their checks, the evidence a
completion needs. Code: (zh-CN, en); placeholders use str.format names."""

MESSAGES: dict[str, tuple[str, str]] = {
    "MEDIA_UNAVAILABLE": (
        "文件存储暂不可用，请稍后重试。",
        "File storage is unavailable; try again later.",
    ),
    "UNSUPPORTED_CONTENT_TYPE": (
        "只接受 JPEG、PNG 或 WebP 图片。",
        "Only JPEG, PNG or WebP images are accepted.",
    ),
    "INVALID_FILE_SIZE": ("文件大小无效。", "The file size is not valid."),
    "FILE_TOO_LARGE": (
        "文件过大：此类附件最大 {maximum} 字节。",
        "The file is too large: at most {maximum} bytes for this kind.",
    ),
    "INVALID_SHA256": ("SHA-256 校验值格式无效。", "The SHA-256 checksum is not valid."),
    "ATTACHMENT_CONFLICT": (
        "该附件编号已用于另一个文件。",
        "This attachment id is already used for another file.",
    ),
    "ATTACHMENT_REJECTED": (
        "该附件已被拒收，请重新拍摄后上传。",
        "This attachment was rejected; take it again and upload the new one.",
    ),
    "JOB_CANCELLED": ("派工单已取消。", "The job is cancelled."),
    "UPLOAD_NOT_FOUND": (
        "尚未收到文件，请上传后再确认。",
        "The file has not arrived yet; upload it, then confirm.",
    ),
    "UPLOAD_EXPIRED": (
        "上传链接已过期，请重新申请上传。",
        "The upload link expired; request a new upload.",
    ),
    "SIZE_MISMATCH": (
        "收到的文件大小与申报的不一致。",
        "The stored file's size differs from the declared size.",
    ),
    "CONTENT_TYPE_MISMATCH": (
        "文件类型与申报的不一致。",
        "The file's type differs from the declared type.",
    ),
    "CHECKSUM_MISMATCH": (
        "文件校验值不符，文件可能损坏，请重新上传。",
        "The file's checksum does not match: it may be damaged; upload it again.",
    ),
    "NOT_AN_IMAGE": ("文件不是图片。", "The file is not an image."),
    "UNREADABLE_IMAGE": ("图片无法读取或已损坏。", "The image cannot be read or is damaged."),
    "IMAGE_TOO_LARGE": ("图片像素过多。", "The image has too many pixels."),
    "EVIDENCE_MISSING": (
        "缺少完工必需的附件（如客户签名、确认单照片或水质检测照片），请先拍摄。",
        "Required files are missing for completion: {kinds}.",
    ),
}
