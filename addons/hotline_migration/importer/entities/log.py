"""The history: one line per legacy step, a step the workflow has no line for left out (Skipped). The
dates, units and time limits the workflow derives from it are completed once it is all in (history.py)."""

from ...tools.mapping import SKIPPED_ACTION
from .base import Entity, Rejected, Skipped, text


class Logs(Entity):
    name, model, parallel, staff_field = "logs", "hotline.case.log", True, "user"

    # return_ruling as its compute gives it: a legacy return is 待裁定 like any return the center has not ruled
    LOG_COLUMNS = ("case_id", "action", "from_state", "to_state", "user_id", "unit_id", "date", "note",
                   "return_ruling")

    def convert(self, row, columns):
        """The line as a row of LOG_COLUMNS: a tuple, not a dict (half a million lines a load)."""
        case_id = self._ref(row, columns, "case", "cases", "orphan reference")
        if case_id is None:
            raise Rejected(columns["case"], "orphan reference", "")
        from_state = self._code(row, columns, "from_state", "state")
        to_state = self._code(row, columns, "to_state", "state")
        states = self._states()
        if from_state and from_state not in states:
            raise Rejected(columns["from_state"], "unknown code", from_state)
        if to_state and to_state not in states:
            raise Rejected(columns["to_state"], "unknown code", to_state)
        action = self._code(row, columns, "action", "action", required=True)
        if action == SKIPPED_ACTION:
            raise Skipped()
        return (
            case_id, action, from_state, to_state,
            self._staff_ref(row, columns, "user"), self._ref(row, columns, "unit", "units"),
            self._date(row, columns, "date", required=True), text(row.get(columns.get("note"))) or None,
            "pending" if action == "return" else None,
        )

    def write(self, batch):  # pylint: disable=method-required-super
        inserter = self._inserter("hotline.case.log", self.LOG_COLUMNS)
        ids = inserter.new_ids(len(batch))
        date = self.LOG_COLUMNS.index("date")
        inserter.insert(ids, [line for _legacy_id, line in batch], [line[date] for _legacy_id, line in batch])
        self.counts["logs"]["created"] += len(batch)
        return [(legacy_id, res_id) for (legacy_id, _vals), res_id in zip(batch, ids, strict=False)]
