from odoo import api, fields, models
from odoo.addons.hotline_case.models.hotline_case import HANDLING_RESULT_SELECTION
from odoo.addons.hotline_case.models.hotline_satisfaction_level import SATISFACTION_SELECTION
from odoo.exceptions import UserError, ValidationError

# 办理结果: what a finished work order reports to the platform, in the platform's assessment terms: the unit's
# own (submitted with its result), which the reviewer may correct.
RESULT_SELECTION = HANDLING_RESULT_SELECTION
# 派单异议: why the center disputes a dispatched work order (the platform's own codes map onto these).
DISPUTE_REASON_SELECTION = [
    ("not_competent", "Not the Center's Remit"),
    ("wrong_area", "Outside the Center's Area"),
    ("duplicate", "Duplicate Work Order"),
    ("unclear", "Request Unclear"),
]
TABLE_SELECTION = [
    ("category", "Category"),
    ("unit", "Unit"),
    ("satisfaction", "Satisfaction"),
    ("result", "Result"),
    ("dispute_reason", "Dispute Reason"),
]


class HotlinePlatformCodeTable(models.Model):
    """One version of a counterpart's code tables. The platform renumbers its catalogue from time to time:
    each event records the version it was coded with, so an event written under the old catalogue is still
    read with it."""

    _name = "hotline.platform.code.table"
    _description = "Platform Code Table Version"
    _order = "counterpart_id, date_start desc, id desc"
    _rec_name = "version"

    counterpart_id = fields.Many2one("hotline.platform.counterpart", required=True, ondelete="cascade", index=True)
    version = fields.Char(required=True, help="The platform's name of this catalogue version, e.g. 2026.1.")
    date_start = fields.Date(string="Valid From", required=True, default=fields.Date.context_today)
    line_ids = fields.One2many("hotline.platform.code", "table_id", string="Codes", copy=True)

    _version_uniq = models.Constraint("UNIQUE(counterpart_id, version)",
                                      "A counterpart names each code table version once.")

    def _lookup(self, table, code):
        """The local value of the platform's `code`, or UserError naming what is not mapped."""
        self.ensure_one()
        line = self.line_ids.filtered(lambda line: line.kind == table and line.code == str(code))[:1]
        if not line:
            raise UserError(self.env._("Code %(code)s of table %(table)s is not mapped in version %(version)s.",
                                       code=code, table=self._table_label(table), version=self.version))
        return line._local_value()

    def _table_label(self, table):
        return dict(self.env["hotline.platform.code"]._fields["kind"]._description_selection(self.env))[table]

    def _code_of(self, table, value):
        """The platform's code of a local value (a record or a selection key), or UserError."""
        self.ensure_one()
        for line in self.line_ids.filtered(lambda line: line.kind == table):
            if line._local_value() == value:
                return line.code
        raise UserError(self.env._("No code of table %(table)s in version %(version)s stands for %(value)s.",
                                   table=self._table_label(table), version=self.version,
                                   value=getattr(value, "display_name", value)))


class HotlinePlatformCode(models.Model):
    _name = "hotline.platform.code"
    _description = "Platform Code"
    _order = "table_id, kind, code"

    table_id = fields.Many2one("hotline.platform.code.table", string="Version", required=True, ondelete="cascade",
                               index=True)
    kind = fields.Selection(TABLE_SELECTION, string="Table", required=True)
    code = fields.Char(required=True)
    name = fields.Char(string="Platform Label")
    category_id = fields.Many2one("hotline.category", ondelete="restrict")
    unit_id = fields.Many2one("hotline.unit", ondelete="restrict")
    satisfaction = fields.Selection(SATISFACTION_SELECTION)
    result = fields.Selection(RESULT_SELECTION)
    dispute_reason = fields.Selection(DISPUTE_REASON_SELECTION)

    _code_uniq = models.Constraint("UNIQUE(table_id, kind, code)", "A code appears once in a table.")

    @api.constrains("kind", "category_id", "unit_id", "satisfaction", "result", "dispute_reason")
    def _check_target(self):
        for line in self:
            if not line._local_value():
                raise ValidationError(self.env._("Code %s maps to nothing: choose the local value it stands for.",
                                                 line.code))

    def _local_value(self):
        self.ensure_one()
        return {"category": self.category_id, "unit": self.unit_id, "satisfaction": self.satisfaction,
                "result": self.result, "dispute_reason": self.dispute_reason}[self.kind]
