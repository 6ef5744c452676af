"""Whether a text is a plain number: headers, signed URLs and imported cells are checked so
before ``int`` reads them."""


def is_digits(text: str) -> bool:
    """One or more ASCII digits. ``str.isdigit`` also accepts "²" and other digits that
    ``int`` refuses, so a header or a form field holding one answered 500."""
    return text.isascii() and text.isdigit()
