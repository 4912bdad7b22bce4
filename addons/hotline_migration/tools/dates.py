"""Legacy date parsing: the formats the mapping lists, Excel serials, then UTC for storage."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

EXCEL_EPOCH = datetime(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug included)


class BadDate(ValueError):
    pass


class DateParser:
    """Parse legacy date cells into naive UTC datetimes (what Odoo stores).

    `formats`: strptime patterns tried in order, plus the word "excel" for serial day numbers
    (45000.5 = 2023-03-15 12:00). Datetime cells from a workbook or a database pass through.
    Naive legacy times are in `tz`, the center's time zone.
    """

    def __init__(self, formats, tz="Asia/Shanghai"):
        self.formats = [f for f in formats if f != "excel"]
        self.excel = "excel" in formats
        self.tz = ZoneInfo(tz)

    def parse(self, value):
        """Return a naive UTC datetime, None for an empty cell; raise BadDate otherwise."""
        if value is None:
            return None
        if isinstance(value, datetime):
            local = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            local = self._serial(value, str(value))
        else:
            text = str(value).strip()
            if not text:
                return None
            local = self._text(text)
        if local.tzinfo is None:
            local = local.replace(tzinfo=self.tz)
        return local.astimezone(timezone.utc).replace(tzinfo=None)

    def _text(self, text):
        for fmt in self.formats:
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
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
