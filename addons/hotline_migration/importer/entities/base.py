"""What every legacy entity shares: the reading of a cell as the hotline's value, and the refusals."""

from ...tools.dates import BadDate
from ...tools.phones import BadPhone


class Skipped(Exception):
    """A legacy row the workflow has no record for (a 登记 log line): left out, counted, not an error."""


class Rejected(Exception):
    def __init__(self, column, reason, value=""):
        super().__init__(reason)
        self.column = column
        self.reason = reason
        self.value = value


class Entity:
    """One legacy entity: `convert` a row (raises Rejected or Skipped), `write` a batch of converted rows
    (returns (legacy id, record id) pairs), `count` a row in the legacy figures (None: not reconciled).

    The run's state (environment, writer, id maps, counts) is the importer's: read through it at each call,
    as the processes reading side by side replace it (see parallel.py). (`write` is no ORM write: pylint-odoo's
    method-required-super does not apply.)"""

    name = ""  # the mapping's entity
    model = ""  # the hotline model its rows become (xref.res_model)
    reference = False  # a small table written through the ORM, in the importer's own transaction
    parallel = False  # read by several processes side by side in a real load
    staff_field = None  # the staff number (工号) field
    count = None

    def __init__(self, importer):
        self.importer = importer

    def convert(self, row, columns):
        raise NotImplementedError

    def write(self, batch):  # pylint: disable=method-required-super
        raise NotImplementedError

    @property
    def env(self):
        return self.importer.env

    @property
    def mapping(self):
        return self.importer.mapping

    @property
    def ids(self):
        return self.importer.ids

    @property
    def counts(self):
        return self.importer.counts

    @property
    def phones(self):
        return self.importer.phones

    @property
    def writer(self):
        return self.importer.writer

    @property
    def dates(self):
        return self.importer.dates

    def _inserter(self, model, columns, timestamps=True):
        return self.importer.inserter(model, columns, timestamps)

    # -- a cell as the hotline's value -------------------------------------------------------------
    def _date(self, row, columns, field, required=False):
        """The UTC time as COPY reads it ("YYYY-MM-DD HH:MM:SS"): made text once, here, though a row
        holds it twice (its own column and create_date)."""
        column = columns.get(field)
        value = row.get(column) if column else None
        try:
            parsed = self.dates.parse(value)
        except BadDate as exc:
            raise Rejected(column, "bad date", text(value)) from exc
        if parsed is None:
            if required:
                raise Rejected(column, "bad date", "")
            return None
        return str(parsed)

    def _code(self, row, columns, field, table, required=False):
        column = columns.get(field)
        value = text(row.get(column)) if column else ""
        if not value:
            if required:
                raise Rejected(column, "unknown code", "")
            return None
        mapped = self.mapping.codes[table].get(value)
        if mapped is None:
            raise Rejected(column, "unknown code", value)
        return mapped

    def _ref(self, row, columns, field, entity, reason="unknown code"):
        column = columns.get(field)
        value = text(row.get(column)) if column else ""
        if not value:
            return None
        res_id = self.ids.get(entity, {}).get(value)
        if res_id is None:
            raise Rejected(column, reason, value)
        return res_id

    def _staff_ref(self, row, columns, field):
        """The user of a staff number (工号): an imported agent, else what the importer's `_prepare_staff`
        gave it."""
        column = columns.get(field)
        value = text(row.get(column)) if column else ""
        if not value:
            return None
        res_id = self.ids.get("agents", {}).get(value) or self.importer.staff.get(value)
        if res_id is None:  # not met by the scan (a row read differently): never a reason to drop the row
            raise Rejected(column, "orphan reference", value)
        return res_id

    def _int(self, row, columns, field):
        column = columns.get(field)
        value = text(row.get(column)) if column else ""
        if not value:
            return 0
        try:
            return int(float(value))
        except ValueError as exc:
            raise Rejected(column, "bad number", value) from exc

    def _bool(self, row, columns, field):
        column = columns.get(field)
        return bool(column) and text(row.get(column)).lower() in self.mapping.true_values

    def _normalize(self, row, columns, field, required=False):
        column = columns.get(field)
        raw = text(row.get(column)) if column else ""
        if not raw:
            if required:
                raise Rejected(column, "bad phone", "")
            return None
        try:
            return self.importer.phone(raw)[0]
        except BadPhone as exc:
            raise Rejected(column, "bad phone", raw) from exc

    def _states(self):
        states = self.__dict__.get("_state_keys")
        if states is None:
            states = self._state_keys = {key for key, _label in self.env["hotline.case"]._fields["state"].selection}
        return states


def text(value):
    if type(value) is str:  # noqa: E721 - the usual case first: a CSV cell (a million calls per load)
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
