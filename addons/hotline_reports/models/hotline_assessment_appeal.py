"""复核: a unit's appeal against a dispatch counted in its published figures, and the center's decision.

Accepting an appeal takes the dispatch out of the population of the appealed step for that unit: every count
placed by the same date of the dispatch as the appealed one (kpi/cases.py DISPATCH_MEASURES; e.g. an appeal on
超期 removes the dispatch from 应办结, 按时办结, 超期 and 延期（应办结中）), so a rate's numerator and
denominator move together. The rates, the score and every unit's rank are recomputed with the scheme as
published, and the result is the assessment's next version; durations and 满意度得分 keep their published value.
"""
from collections import Counter

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..kpi.cases import DISPATCH_MEASURES, RATES
from .hotline_assessment_publication import FIGURE_CODES, MEASURE_CODES, measure_of, post_in_their_language


class HotlineAssessmentAppeal(models.Model):
    _name = "hotline.assessment.appeal"
    _description = "Assessment Appeal"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    item_id = fields.Many2one("hotline.assessment.published.item", string="Dispatch", required=True, readonly=True,
                              index=True, ondelete="restrict")
    result_id = fields.Many2one(related="item_id.result_id", store=True, string="Result")
    publication_id = fields.Many2one(related="result_id.publication_id", store=True, string="Version")
    assessment_id = fields.Many2one(related="publication_id.assessment_id", store=True, index=True)
    unit_id = fields.Many2one(related="result_id.unit_id", store=True, index=True)
    code = fields.Selection(FIGURE_CODES, string="Indicator", required=True, readonly=True,
                            help="The count the case is appealed in.")
    case_id = fields.Many2one(related="item_id.case_id", store=True, string="Case")
    case_name = fields.Char(related="item_id.case_name", string="Case Number")
    reason = fields.Text(required=True, readonly=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Files", readonly=True)
    filed_by_id = fields.Many2one("res.users", string="Filed by", readonly=True)
    state = fields.Selection([("submitted", "Waiting for Decision"), ("accepted", "Accepted"),
                              ("rejected", "Rejected")], required=True, default="submitted", readonly=True,
                             index=True, tracking=True)
    decision_reason = fields.Text(readonly=True)
    decided_by_id = fields.Many2one("res.users", string="Decided by", readonly=True)
    decided_at = fields.Datetime(readonly=True)
    new_publication_id = fields.Many2one("hotline.assessment.publication", string="New Version", readonly=True)
    old_score = fields.Float(readonly=True, digits=(16, 2))
    new_score = fields.Float(readonly=True, digits=(16, 2))
    old_rank = fields.Integer(readonly=True)
    new_rank = fields.Integer(readonly=True)
    change_ids = fields.One2many("hotline.assessment.appeal.change", "appeal_id", string="Changed Figures",
                                 readonly=True)

    @api.depends("case_name", "code")
    def _compute_name(self):
        for appeal in self:
            appeal.name = appeal._title()

    @api.depends("case_name", "code")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for appeal in self:
            appeal.display_name = appeal._title()

    def _labels(self):
        """{figure code: label} in the env's language."""
        return dict(self._fields["code"]._description_selection(self.env))

    def _title(self):
        """The name in the env's language (the stored one is in the language of whoever filed)."""
        self.ensure_one()
        return self.env._("Appeal %(case)s · %(figure)s", case=self.case_name or "",
                          figure=self._labels().get(self.code, ""))

    def _rejected_notice(self):
        self.ensure_one()
        return self.env._("Your appeal %(name)s is rejected: %(reason)s", name=self._title(),
                          reason=self.decision_reason)

    def _accepted_notice(self):
        """What the acceptance changed, from the appeal's stored decision, in the env's language."""
        self.ensure_one()
        labels = self._labels()
        return self.env._(
            "Appeal %(appeal)s accepted by %(user)s: %(reason)s. Case %(case)s taken out of %(figures)s of "
            "%(unit)s; score %(old)s → %(new)s, rank %(old_rank)s → %(new_rank)s.",
            appeal=self._title(), user=self.decided_by_id.name, reason=self.decision_reason, case=self.case_name,
            figures="、".join(labels[change.code] for change in self.change_ids), unit=self.unit_id.name,
            old=f"{self.old_score:.2f}", new=f"{self.new_score:.2f}", old_rank=self.old_rank or "-",
            new_rank=self.new_rank or "-")

    def _filed_notice(self):
        self.ensure_one()
        return self.env._("%(unit)s appeals case %(case)s in %(name)s: %(reason)s", unit=self.unit_id.name,
                          case=self.case_name, name=self.publication_id._title(), reason=self.reason)

    def _check_decision(self, reason):
        self.env["hotline.assessment.publication"]._check_publisher()
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for the decision."))
        if any(appeal.state != "submitted" for appeal in self.sudo()):
            raise UserError(self.env._("This appeal has already been decided."))

    def action_reject(self, reason):
        """驳回: the figures stay as published; the unit is told why."""
        self._check_decision(reason)
        for appeal in self.sudo():
            appeal.write({"state": "rejected", "decision_reason": reason.strip(), "decided_by_id": self.env.uid,
                          "decided_at": fields.Datetime.now()})
            appeal._notify_unit(lambda a: a._rejected_notice())
        return True

    def action_accept(self, reason):
        """采纳: the next version without the dispatch in the appealed step's population (module docstring)."""
        self._check_decision(reason)
        Publication = self.env["hotline.assessment.publication"].sudo()
        for appeal in self.sudo():
            current = Publication.search([("assessment_id", "=", appeal.assessment_id.id), ("state", "=", "current")])
            date = DISPATCH_MEASURES[measure_of(appeal.code)][0]
            family = {MEASURE_CODES[key] for key, (placed, _cond) in DISPATCH_MEASURES.items() if placed == date}
            old = current.result_ids.filtered(lambda r, a=appeal: r.unit_id == a.unit_id)
            if not old._items(appeal.code).filtered(lambda i, a=appeal: i.dispatch_id == a.item_id.dispatch_id):
                raise UserError(self.env._("This case no longer counts in the figure: nothing to change."))
            new = current._copy_as_next({"appeal_id": appeal.id})
            result = new.result_ids.filtered(lambda r, a=appeal: r.unit_id == a.unit_id)
            item = result.item_ids.filtered(lambda i, a=appeal: i.dispatch_id == a.item_id.dispatch_id)
            before = result._figures()
            old_score, old_rank = result.score, result.rank
            figures = {figure.code: figure for figure in result.figure_ids}
            counts = Counter(code for code in item._codes() if code in family)
            for code, count in counts.items():
                figures[code].value -= count
            for rate, (num, den) in RATES.items():
                if not {MEASURE_CODES[num], MEASURE_CODES[den]} & set(counts):
                    continue
                denominator = figures[MEASURE_CODES[den]].value
                figures[rate].write({"has_value": bool(denominator),
                                     "value": figures[MEASURE_CODES[num]].value / denominator if denominator else 0.0})
            kept = [code for code in item._codes() if code not in family]
            if kept:
                item.sudo().write({"codes": f" {' '.join(kept)} "})
            else:
                item.sudo().unlink()
            new._rescore()
            after = result._figures()
            display = {figure.code: figure.display_value for figure in result.figure_ids}
            changes = [code for code in after if after[code] != before[code]]
            old_display = {figure.code: figure.display_value for figure in old.figure_ids}
            appeal.write({
                "state": "accepted", "decision_reason": reason.strip(), "decided_by_id": self.env.uid,
                "decided_at": fields.Datetime.now(), "new_publication_id": new.id,
                "old_score": old_score, "new_score": result.score, "old_rank": old_rank, "new_rank": result.rank,
                "change_ids": [fields.Command.create({"code": code, "old_value": old_display[code],
                                                      "new_value": display[code]}) for code in changes],
            })
            # the version's record of the change, in the decider's language (the center's); the unit is told in
            # each member's
            new.change_note = appeal._accepted_notice()
            appeal._notify_unit(lambda a: a._accepted_notice())
            new._notify_units()
        return True

    def action_open_decision(self):
        """The decision form (the button's context gives `decision`: accept or reject)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "res_model": "hotline.assessment.appeal.decision", "view_mode": "form",
            "target": "new", "name": self.env._("Decide the Appeal"),
            "context": {"default_appeal_id": self.id, "default_decision": self.env.context.get("decision")},
        }

    def _notify_unit(self, render):
        """Tell the unit's members `render(appeal)`, each in their own language."""
        for appeal in self.sudo():
            post_in_their_language(appeal, appeal.unit_id.member_ids.partner_id, render)

    def _notify_reviewers(self):
        reviewers = self.env.ref("hotline_case.group_reviewer").sudo().all_user_ids.filtered(
            lambda user: user.active and not user.share)
        for appeal in self.sudo():
            post_in_their_language(appeal, reviewers.partner_id, lambda a: a._filed_notice())


class HotlineAssessmentAppealChange(models.Model):
    """A figure an accepted appeal changed: its value in the version appealed and in the new version."""

    _name = "hotline.assessment.appeal.change"
    _description = "Appeal Change"
    _order = "appeal_id, id"

    appeal_id = fields.Many2one("hotline.assessment.appeal", required=True, readonly=True, index=True,
                                ondelete="cascade")
    code = fields.Selection(FIGURE_CODES, string="Indicator", required=True, readonly=True)
    old_value = fields.Char(string="Before", readonly=True)
    new_value = fields.Char(string="After", readonly=True)
