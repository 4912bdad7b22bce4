"""Legacy phone numbers: strip the extension, then normalise like the case intake does.

The normaliser itself belongs to hotline_case (hotline_case/tools/phone.py); this module only adds
what legacy exports bring besides: extensions.
"""

import re

# 0571-88888888转123, 0571 8888 8888 ext. 12, 88888888-8001 (an extension after a full number), #12, x12
_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
_DASH_EXTENSION = re.compile(r"^(.*\d{7,8})-(\d{1,5})$")
# a switch's trunk prefix 0 dialled before a mobile number (013003917436): no area code starts with 01 but
# Beijing's 010, and a mobile never starts with 10
_TRUNK_MOBILE = re.compile(r"^0(1[3-9]\d{9})$")


class BadPhone(ValueError):
    pass


def split_extension(raw):
    """('0571-88888888', '123') from '0571-88888888转123'; the extension is '' when there is none."""
    text = (raw or "").strip()
    match = _EXTENSION.search(text)
    if match:
        return text[:match.start()].strip(), match.group(1)
    match = _DASH_EXTENSION.match(text)
    if match and re.sub(r"\D", "", match.group(1)).startswith("0"):
        return match.group(1), match.group(2)
    return text, ""


def make_normalizer(env):
    """A function raw → (normalised number, extension) raising BadPhone; the center's rules
    (res.company._hotline_normalize_phone: the tool with the center's default area code, read here once, not
    through the ORM for every number: a tenth of a case's conversion)."""
    from odoo.addons.hotline_case.tools.phone import InvalidPhoneError, normalize_phone  # noqa: PLC0415

    area_code = env.company.hotline_default_area_code
    # raw text → (normalised, extension), None when invalid: the same number comes back typed the same way
    # in the cases and calls of a caller (a million legacy rows: two regular expressions less per repeat)
    cache = {}

    def normalizer(raw):
        result = cache.get(raw, False)
        if result is False:
            number, extension = split_extension(raw)
            trunk = _TRUNK_MOBILE.match(re.sub(r"[\s-]", "", number))
            if trunk:
                number = trunk.group(1)
            try:
                result = (normalize_phone(number, area_code), extension)
            except InvalidPhoneError:
                result = None
            if len(cache) > 500000:
                cache.clear()
            cache[raw] = result
        if result is None:
            raise BadPhone(raw)
        return result

    return normalizer
