from datetime import timedelta

from odoo import api, fields, models

from ..tools import transports
from .hotline_platform_event import STATUS_SELECTION

EXPLANATION_SELECTION = [
    ("outbound", "Our event on its way"),
    ("inbound", "The platform's event received, waiting"),
    ("dead", "Dead letter (resend it)"),
    ("unexplained", "Unexplained"),
]


class HotlinePlatformReconciliation(models.Model):
    """对账: one platform's work orders of one day (the day the platform dispatched them, Beijing time), counted
    per status here and on the platform; every work order whose status differs is listed, with what explains
    it (an event still in flight either way, a dead letter) or as unexplained."""

    _name = "hotline.platform.reconciliation"
    _description = "Platform Reconciliation"
    _order = "date desc, id desc"
    _rec_name = "date"

    counterpart_id = fields.Many2one("hotline.platform.counterpart", string="Platform", required=True,
                                     readonly=True, ondelete="cascade", index=True)
    date = fields.Date(string="Day", required=True, readonly=True)
    line_ids = fields.One2many("hotline.platform.reconciliation.line", "reconciliation_id", string="Counts",
                               readonly=True)
    difference_ids = fields.One2many("hotline.platform.reconciliation.difference", "reconciliation_id",
                                     string="Differences", readonly=True)
    local_total = fields.Integer(string="Here", readonly=True)
    remote_total = fields.Integer(string="On the Platform", readonly=True)
    unexplained_count = fields.Integer(string="Unexplained", readonly=True)

    @api.model
    def _reconcile(self, counterpart, day):
        """Compare one day (a new reconciliation each run: the history of runs stays)."""
        remote_rows = counterpart._transport().reconcile(day)
        remote = {str(row["platform_ref"]): str(row["status"]) for row in remote_rows}
        start, end = self.env.company._hotline_day_bounds(day)
        cases = self.env["hotline.case"].sudo().search([
            ("platform_counterpart_id", "=", counterpart.id), ("date_received", ">=", start),
            ("date_received", "<", end)])
        refs = set(cases.mapped("platform_ref")) | set(remote)
        statuses = self.env["hotline.case"]._platform_statuses(counterpart, refs)
        local = {ref: statuses[ref][1] for ref in cases.mapped("platform_ref")}
        open_events = self.env["hotline.platform.event"].sudo().search([
            ("counterpart_id", "=", counterpart.id), ("platform_ref", "in", list(refs)),
            ("state", "in", ("pending", "relay", "received", "dead"))])
        in_flight = {}
        for event in open_events:
            reason = "dead" if event.state == "dead" else "outbound" if event.direction == "out" else "inbound"
            in_flight.setdefault(event.platform_ref, set()).add(reason)
        differences = []
        for ref in sorted(refs):
            mine, theirs = local.get(ref), remote.get(ref)
            if mine == theirs:
                continue
            reasons = in_flight.get(ref, set())
            confirmed = statuses[ref][0]
            if "dead" in reasons:
                explanation = "dead"
            elif "inbound" in reasons:
                explanation = "inbound"
            elif "outbound" in reasons and (confirmed == theirs or (confirmed is None and theirs == "open")):
                explanation = "outbound"
            else:
                explanation = "unexplained"
            differences.append({"platform_ref": ref, "local_status": mine or False,
                                "remote_status": theirs if theirs in dict(STATUS_SELECTION) else False,
                                "remote_status_raw": theirs or False, "explanation": explanation})
        counts = {}
        for status in local.values():
            counts.setdefault(status, [0, 0])[0] += 1
        for status in remote.values():
            counts.setdefault(status, [0, 0])[1] += 1
        return self.sudo().create({
            "counterpart_id": counterpart.id, "date": day,
            "local_total": len(local), "remote_total": len(remote),
            "unexplained_count": sum(1 for d in differences if d["explanation"] == "unexplained"),
            "line_ids": [fields.Command.create({"status": status or "", "local_count": here, "remote_count": there})
                         for status, (here, there) in sorted(counts.items(), key=lambda item: str(item[0]))],
            "difference_ids": [fields.Command.create(values) for values in differences],
        })

    @api.model
    def _cron_reconcile(self):
        """Every morning: yesterday (the center's day) for each platform with an interface."""
        today = self.env.company._hotline_local_day()
        for counterpart in self.env["hotline.platform.counterpart"].sudo().search([("transport", "!=", "manual")]):
            try:
                self._reconcile(counterpart, today - timedelta(days=1))
            except transports.TransportError as error:
                counterpart._contact_failed(str(error))
        return True


class HotlinePlatformReconciliationLine(models.Model):
    _name = "hotline.platform.reconciliation.line"
    _description = "Platform Reconciliation Count"
    _order = "reconciliation_id, status"

    reconciliation_id = fields.Many2one("hotline.platform.reconciliation", required=True, ondelete="cascade",
                                        index=True)
    status = fields.Char(required=True, help="The work orders' status code (see the platform's schema).")
    local_count = fields.Integer(string="Here")
    remote_count = fields.Integer(string="On the Platform")
    difference = fields.Integer(compute="_compute_difference")

    @api.depends("local_count", "remote_count")
    def _compute_difference(self):
        for line in self:
            line.difference = line.local_count - line.remote_count


class HotlinePlatformReconciliationDifference(models.Model):
    _name = "hotline.platform.reconciliation.difference"
    _description = "Platform Reconciliation Difference"
    _order = "reconciliation_id, platform_ref"

    reconciliation_id = fields.Many2one("hotline.platform.reconciliation", required=True, ondelete="cascade",
                                        index=True)
    platform_ref = fields.Char(string="Platform Number", required=True)
    local_status = fields.Selection(STATUS_SELECTION, string="Here")
    remote_status = fields.Selection(STATUS_SELECTION, string="On the Platform")
    remote_status_raw = fields.Char(string="Platform's Code")
    explanation = fields.Selection(EXPLANATION_SELECTION, required=True)
