from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..kpi.period import check_period
from ..models.hotline_report_export import REPORTS


class HotlineCaseReportWizard(models.TransientModel):
    """Pick a case report, its period and units, and get it as an Excel file."""

    _name = "hotline.case.report.wizard"
    _description = "Case Report Export"

    report = fields.Selection(REPORTS, required=True, default="unit")
    date_from = fields.Date(string="From", required=True, default=lambda self: self._default_period()[0])
    date_to = fields.Date(string="To", required=True, default=lambda self: self._default_period()[1])
    unit_ids = fields.Many2many("hotline.unit", string="Units", help="Leave empty for every unit.")
    scheme_id = fields.Many2one(
        "hotline.assessment.scheme", string="Scheme",
        default=lambda self: self.env["hotline.assessment.scheme"].search([], limit=1),
    )

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            check_period(self.env, wizard.date_from, wizard.date_to)

    @api.model
    def _default_period(self):
        """The previous calendar month (the usual monthly report), in the user's time zone."""
        today = fields.Date.context_today(self)
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last

    def action_export(self):
        self.ensure_one()
        self.env["hotline.kpi.case"]._check_reader()
        if self.date_to < self.date_from:
            raise UserError(self.env._("The period ends before it starts."))
        if self.report == "assessment" and not self.scheme_id:
            raise UserError(self.env._("Choose the assessment scheme."))
        label = dict(self._fields["report"]._description_selection(self.env))[self.report]
        export = self.env["hotline.report.export"].create({
            "name": f"{label} {self.date_from}~{self.date_to}",
            "report": self.report,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "unit_ids": [fields.Command.set(self.unit_ids.ids)],
            "scheme_id": self.scheme_id.id,
        })
        return export._start()
