"""Calls: the switch's records in bulk, each on its citizen's contact and its case; counted in the legacy
figures (calls, talk time) by month."""

from ...tools.dates import BadDate
from ...tools.phones import BadPhone
from .base import Entity, text


class Calls(Entity):
    name, model, parallel, staff_field = "calls", "hotline.call", True, "agent"

    def convert(self, row, columns):
        enter = self._date(row, columns, "enter", required=True)
        numbers = {}
        for field in ("caller_number", "called_number"):
            raw = text(row.get(columns.get(field))) if columns.get(field) else ""
            try:
                numbers[field] = self.importer.phone(raw)[0] if raw else None
            except BadPhone:
                numbers[field] = raw  # a CDR keeps what the switch saw (anonymous, short codes)
        direction = self._code(row, columns, "direction", "direction") or "inbound"
        return {
            "direction": direction, **numbers,
            "queue": text(row.get(columns.get("queue"))) or None,
            "user_id": self._staff_ref(row, columns, "agent"),
            "enter_time": enter, "answer_time": self._date(row, columns, "answer"),
            "end_time": self._date(row, columns, "end"),
            "wait_seconds": self._int(row, columns, "wait"), "talk_seconds": self._int(row, columns, "talk"),
            "outcome": self._code(row, columns, "outcome", "outcome"),
            "case_id": self._ref(row, columns, "case", "cases", "orphan reference"),
        }

    CALL_COLUMNS = ("uniqueid", "direction", "caller_number", "caller_phone", "called_number", "partner_id",
                    "queue", "user_id", "enter_time", "answer_time", "end_time", "wait_seconds", "talk_seconds",
                    "outcome", "missed_attempt_count")

    def _call_phone(self, number):
        """hotline.call.caller_phone as its compute gives it, once per number."""
        if not number:
            return None
        if not hasattr(self, "_call_phones"):
            self._call_phones = {}
        if number not in self._call_phones:
            if len(self._call_phones) > 500000:
                self._call_phones.clear()
            self._call_phones[number] = self.env["hotline.call"]._normalized(number) or None
        return self._call_phones[number]

    def write(self, batch):  # pylint: disable=method-required-super
        inserter = self._inserter("hotline.call", self.CALL_COLUMNS)
        ids = inserter.new_ids(len(batch))
        rows, links = [], []
        prefix = f"legacy:{self.importer.code}:"
        for res_id, (legacy_id, vals) in zip(ids, batch, strict=False):
            citizen = vals["caller_number"] if vals["direction"] == "inbound" else vals["called_number"]
            rows.append((prefix + legacy_id, vals["direction"], vals["caller_number"],
                         self._call_phone(vals["caller_number"]), vals["called_number"],
                         self.phones.get(citizen), vals["queue"], vals["user_id"], vals["enter_time"],
                         vals["answer_time"], vals["end_time"], vals["wait_seconds"], vals["talk_seconds"],
                         vals["outcome"], 0))
            if vals["case_id"]:
                links.append((res_id, vals["case_id"]))
        inserter.insert(ids, rows, [vals["enter_time"] for _legacy_id, vals in batch])
        self.writer.add("hotline_call_case_rel", ["call_id", "case_id"], links)
        self.counts["calls"]["created"] += len(batch)
        return [(legacy_id, res_id) for (legacy_id, _vals), res_id in zip(batch, ids, strict=False)]

    def count(self, row, columns, into):
        try:
            month = self.dates.month(row.get(columns["enter"]))
        except BadDate:
            month = "?"
        bucket = into[(month, "")]
        bucket["calls"] += 1
        talk = text(row.get(columns.get("talk"))) if columns.get("talk") else ""
        # an unreadable duration counts 0 on both sides: its row is rejected ("bad number")
        bucket["talk_seconds"] += int(float(talk)) if talk.replace(".", "", 1).isdigit() else 0
