"""The deadline rules' arithmetic for a whole history at once.

hotline.case computes a dispatch's time limits with the company's calendar (`_compute_deadlines`:
`_add_working_days`, `_add_working_hours` → resource.calendar.plan_hours), reading the calendar's work
intervals and leaves for each call: fine for one dispatch, minutes for a legacy system's (3,911
dispatches of 5,000 cases took over two minutes). Here the intervals of the whole span are read once
and the same walks are done over them; a start beyond the span falls back to hotline.case's own methods.
A test compares both on a grid of times with a public holiday.
"""

from bisect import bisect_left, bisect_right
from datetime import timedelta

import pytz

# work intervals read past the last start: the longest time limit of a rule, with room
LOOKAHEAD = timedelta(days=120)


class DeadlinePlanner:
    def __init__(self, case_model, first, last):
        """`case_model`: hotline.case (its calendar and methods); `first`, `last`: the earliest and the latest
        start (naive UTC)."""
        self.case = case_model
        self.calendar = case_model._calendar()
        self.rules = {}
        if not self.calendar:
            return
        self.tz = pytz.timezone(self.calendar.tz or "UTC")
        begin = pytz.utc.localize(first) - timedelta(days=1)
        self.end = pytz.utc.localize(last) + LOOKAHEAD
        self.intervals = [(start, stop) for start, stop, _meta
                          in self.calendar._work_intervals_batch(begin, self.end)[False]]
        self.stops = [stop for _start, stop in self.intervals]
        day_ends = {}
        for _start, stop in self.intervals:
            day = stop.astimezone(self.tz).date()
            day_ends[day] = max(day_ends.get(day, stop), stop)
        self.days = sorted(day_ends)
        self.day_ends = [day_ends[day] for day in self.days]

    def deadlines(self, case_type, category, urgency, start):
        """hotline.case._compute_deadlines(start) for a case of that type, category and urgency."""
        key = (case_type.id, category.id, urgency)
        if key not in self.rules:
            self.rules[key] = self.case.env["hotline.deadline.rule"]._find_rule(case_type, category, urgency)
        rule = self.rules[key]
        if not rule:
            return {"sign_deadline": False, "deadline": False}
        if rule.finish_unit == "hours":
            deadline = start + timedelta(hours=rule.finish_amount)
        else:
            deadline = self.working_days(int(round(rule.finish_amount)) or 1, start)
        sign_deadline = self.working_hours(rule.sign_hours, start) if rule.sign_hours else False
        if sign_deadline and sign_deadline > deadline:
            sign_deadline = deadline
        return {"sign_deadline": sign_deadline, "deadline": deadline}

    def working_days(self, days, start):
        """hotline.case._add_working_days: the end of the `days`-th working day after the day of `start`."""
        if not self.calendar or days <= 0:
            return self.case._add_working_days(days, start)
        first = pytz.utc.localize(start).astimezone(self.tz).date() + timedelta(days=1)
        index = bisect_left(self.days, first) + days - 1
        if index >= len(self.days) or self.day_ends[index] >= self.end - timedelta(days=1):
            return self.case._add_working_days(days, start)
        return self.day_ends[index].astimezone(pytz.utc).replace(tzinfo=None)

    def working_hours(self, hours, start):
        """hotline.case._add_working_hours (resource.calendar.plan_hours with the leaves)."""
        if not self.calendar or not hours or hours < 0:
            return self.case._add_working_hours(hours, start)
        moment = pytz.utc.localize(start)
        left = hours
        for begin, stop in self.intervals[bisect_right(self.stops, moment):]:
            begin = max(begin, moment)
            length = (stop - begin).total_seconds() / 3600
            if left <= length:
                return (begin + timedelta(hours=left)).astimezone(pytz.utc).replace(tzinfo=None)
            left -= length
        return self.case._add_working_hours(hours, start)
