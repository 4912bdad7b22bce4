"""Chinese phone numbers, without any model: the case, the caller lookup and telephony call these.

Like Odoo's ``phone_validation/tools``, the functions here are pure: the caller passes the settings
(the center's default area code) and turns ``InvalidPhoneError`` into a translated message.
"""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-()（）.·]+")
_MOBILE = re.compile(r"1[3-9]\d{9}")
# Area codes: 010 and 02x have three digits, the others four (0571, 0755...).
_LANDLINE = re.compile(r"(0(?:10|2\d|[3-9]\d{2}))([1-9]\d{6,7})")
_AREA_CODE = re.compile(r"0(?:10|2\d|[3-9]\d{2})")
_SERVICE = re.compile(r"(?:400|800)\d{7}|1\d{4}")
_LOCAL = re.compile(r"[2-9]\d{6,7}")


class InvalidPhoneError(ValueError):
    """`raw` is not a Chinese phone number."""

    def __init__(self, raw):
        super().__init__(raw)
        self.raw = raw


def _digits(raw):
    # NFKC: full-width digits and signs typed with a Chinese input method become ASCII
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or "").strip())


def is_area_code(code):
    return bool(code and _AREA_CODE.fullmatch(code))


def normalize_phone(raw, default_area_code=None):
    """'13812345678' for mobiles, '0571-88888888' for landlines, '4001234567' / '12345' for service numbers.

    Accepts spaces, dashes, brackets, full-width characters and the +86 / 0086 prefixes. A local
    landline number (7 or 8 digits) gets `default_area_code` when one is given.
    Raises InvalidPhoneError otherwise.
    """
    raw = (raw or "").strip()
    digits = _digits(raw)
    international = True
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13 and _MOBILE.fullmatch(digits[2:]):
        digits = digits[2:]
    else:
        international = False
    if not digits.isdigit():
        raise InvalidPhoneError(raw)
    if _MOBILE.fullmatch(digits):
        return digits
    if international and not digits.startswith("0"):
        # +86 571 8888 8888: the trunk prefix 0 is dropped after the country code
        digits = "0" + digits
    match = _LANDLINE.fullmatch(digits)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    if _SERVICE.fullmatch(digits):
        return digits
    area = _digits(default_area_code)
    if not international and is_area_code(area) and _LOCAL.fullmatch(digits):
        return f"{area}-{digits}"
    raise InvalidPhoneError(raw)


def search_phone_term(term, default_area_code=None):
    """The form a typed search term takes in stored numbers: the full number when it is one,
    else the digits without separators (a part of a number, '1381234')."""
    try:
        return normalize_phone(term, default_area_code)
    except InvalidPhoneError:
        digits = _digits(term)
        if not digits.isdigit():
            return (term or "").strip()
        # the start of a landline: stored numbers have a dash after the area code
        area = _AREA_CODE.match(digits)
        if area and len(digits) > area.end():
            return f"{digits[:area.end()]}-{digits[area.end():]}"
        return digits
