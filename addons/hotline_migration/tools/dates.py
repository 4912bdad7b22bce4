"""Legacy date parsing: the formats the mapping lists, Excel serials, then UTC for storage."""

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

EXCEL_EPOCH = datetime(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug included)
# strptime is slow (locale look-ups per call): the usual directives become one regular expression
_DIRECTIVES = {"%Y": r"(?P<year>\d{4})", "%m": r"(?P<month>\d{1,2})", "%d": r"(?P<day>\d{1,2})",
               "%H": r"(?P<hour>\d{1,2})", "%M": r"(?P<minute>\d{1,2})", "%S": r"(?P<second>\d{1,2})"}


def _compile(fmt):
    """A regular expression for `fmt`, or None when it uses other directives (strptime then)."""
    pattern, k = "", 0
    while k < len(fmt):
        if fmt[k] == "%":
            directive = fmt[k:k + 2]
            if directive not in _DIRECTIVES:
                return None
            pattern += _DIRECTIVES[directive]
            k += 2
        else:
            pattern += re.escape(fmt[k])
            k += 1
    return re.compile(pattern + r"\Z")


class BadDate(ValueError):
    pass


class DateParser:
    """Parse legacy date cells into naive UTC datetimes (what Odoo stores).

    `formats`: strptime patterns tried in order, plus the word "excel" for serial day numbers
    (45000.5 = 2023-03-15 12:00). Datetime cells from a workbook or a database pass through.
    Naive legacy times are in `tz`, the center's time zone.
    """

    def __init__(self, formats, tz="Asia/Shanghai"):
        self.formats = [(f, _compile(f)) for f in formats if f != "excel"]
        self.excel = "excel" in formats
        self.tz = ZoneInfo(tz)

    def parse(self, value):
        """Return a naive UTC datetime, None for an empty cell; raise BadDate otherwise."""
        if value is None:
            return None
        if isinstance(value, datetime):
            local = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            local = self._serial(value, str(value))
        else:
            text = str(value).strip()
            if not text:
                return None
            local = self._text(text)
        if local.tzinfo is not None:
            return local.astimezone(timezone.utc).replace(tzinfo=None)
        return local - self.tz.utcoffset(local)

    def _text(self, text):
        for fmt, regex in self.formats:
            try:
                if regex is None:
                    return datetime.strptime(text, fmt)
                match = regex.match(text)
                if match:
                    parts = match.groupdict("0")
                    return datetime(int(parts["year"]), int(parts.get("month", 1)), int(parts.get("day", 1)),
                                    int(parts.get("hour", 0)), int(parts.get("minute", 0)),
                                    int(parts.get("second", 0)))
            except ValueError:
                continue  # 2019/13/45: matched the shape, not a date
        if self.excel:
            try:
                serial = float(text)
            except ValueError:
                serial = None
            # 14-digit stamps (20190305140300) are not serials: only day counts of plausible size
            if serial is not None and 1 <= serial < 2958466:
                return self._serial(serial, text)
        raise BadDate(text)

    def _serial(self, serial, text):
        if not self.excel or not 1 <= serial < 2958466:
            raise BadDate(text)
        # rounded to the second: Excel stores times as fractions of a day
        return EXCEL_EPOCH + timedelta(seconds=round(serial * 86400))
