"""A locale, as a phone's platform or a client writes it, read as one of the languages we
write in: the one rule for every locale we are sent (a phone's push registration, an admin's
UpdateUser).

Phones send what their platform gives them: BCP-47 (``en-US``, ``zh-Hans-CN``), Java/Android
(``zh_CN``, Android's resource form ``zh-rCN`` and ``b+zh+Hans+CN``), iOS identifiers
(``zh-Hans_CN``, ``en_US@calendar=gregorian``) or POSIX (``zh_CN.UTF-8``). Messages exist in
Simplified Chinese and English only (``wellspring.i18n``): every Chinese tag reads
Simplified Chinese (Traditional readers read it better than English), every English tag
English, and a well-formed tag of another language gets the caller's fallback (the user's
language). Only text that is no locale at all is refused (``INVALID_LOCALE``).
"""

from __future__ import annotations

import re

from .errors import DomainError

ZH, EN = "zh-CN", "en"
SUPPORTED = (ZH, EN)
MAX_LENGTH = 64
# The language subtags we write in: ISO 639-1 and the 639-3 codes of the Chinese languages.
_LANGUAGES = {"zh": ZH, "cmn": ZH, "yue": ZH, "wuu": ZH, "en": EN, "eng": EN, "zho": ZH}
_LANGUAGE = re.compile(r"[a-z]{2,3}")  # ISO 639 (BCP-47's longer forms are unused)
_SUBTAG = re.compile(r"[a-z0-9]{1,8}")


def supported_locale(value: str | None, fallback: str, field: str = "locale") -> str:
    """``value`` as ``zh-CN`` or ``en``; ``fallback`` when it is blank or a well-formed tag
    of a language we do not write in; ``INVALID_LOCALE`` when it is no locale."""
    text = (value or "").strip()
    if not text:
        return fallback if fallback in SUPPORTED else ZH
    language = _language(text)
    if language is None:
        raise DomainError("INVALID_LOCALE", field=field, value=text[:MAX_LENGTH])
    return _LANGUAGES.get(language) or (fallback if fallback in SUPPORTED else ZH)


def _language(text: str) -> str | None:
    """The tag's language subtag, lower-cased, or None when the text is not a tag."""
    if len(text) > MAX_LENGTH or not text.isascii():
        return None
    tag = text.lower()
    if tag.startswith("b+"):  # Android's BCP-47 resource qualifier: b+zh+Hans+CN
        tag = tag[2:].replace("+", "-")
    tag = re.split(r"[.@]", tag, maxsplit=1)[0]  # POSIX charset, iOS/ICU keywords
    language, *rest = tag.replace("_", "-").split("-")
    if not _LANGUAGE.fullmatch(language):
        return None
    if not all(_SUBTAG.fullmatch(subtag) for subtag in rest):
        return None
    return language
