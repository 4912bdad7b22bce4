"""Personal data out of texts published to the open data: what the API publishes of a case's description,
address and result never carries a phone number, an e-mail, an identity card number or the caller's name."""

import re

MASK = "***"
# mobiles (spaced or not), landlines with their area code, and any run of 7 digits or more (local numbers,
# identity cards ending in X); dates and house numbers stay
_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?:\+?86[ -]?)?(?:1[3-9]\d[ -]?\d{4}[ -]?\d{4}|0\d{2,3}[ -]?\d{7,8}|\d{7,}[Xx]?)(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def mask(text, names=()):
    """`text` with phone and identity numbers, e-mails and each of `names` (the caller's) replaced by ***."""
    if not text:
        return text
    text = _EMAIL.sub(MASK, text)
    text = _NUMBER.sub(MASK, text)
    for name in names:
        if name and len(name.strip()) >= 2:
            text = text.replace(name.strip(), MASK)
    return text
