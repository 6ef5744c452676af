"""Chinese phone numbers as a PBX reports them, made comparable with customers' numbers.

Customers' numbers are stored as entered (workflow/requests.check_phone): a mobile as 11
digits, a landline with its area code, usually ``010-12345678``. A PBX sends digits with or
without +86/0086/86, a trunk ``0`` before a mobile, and landlines without a dash.
"""

from __future__ import annotations

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area codes: 010 and 020-029 have three digits, the others four (0755, 0571 ...).
_LANDLINE = re.compile(r"^(0(?:10|2\d)|0[3-9]\d{2})(\d{7,8})$")


def normalize(raw: str) -> str | None:
    """``13800138000`` or ``010-12345678``; None for anything not a mainland number."""
    digits = re.sub(r"\D", "", raw)
    if len(raw) > 40 or not digits:
        return None
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) in (10, 11, 12):
            digits = digits[len(prefix) :]
            if not _MOBILE.match(digits) and not digits.startswith("0"):
                digits = "0" + digits  # +86 21 ... drops the area code's trunk 0
            break
    if len(digits) == 12 and digits.startswith("01") and _MOBILE.match(digits[1:]):
        digits = digits[1:]  # a trunk 0 dialled before a mobile
    if _MOBILE.match(digits):
        return digits
    found = _LANDLINE.match(digits)
    if found:
        return f"{found.group(1)}-{found.group(2)}"
    return None


def variants(phone: str) -> list[str]:
    """The spellings a stored customer number may have for one normalized number."""
    forms = [phone]
    if "-" in phone:
        forms.append(phone.replace("-", ""))
    forms.append("+86" + phone.replace("-", "").lstrip("0") if "-" in phone else "+86" + phone)
    return forms
