from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

STATES = [
    ("draft", "To Score"),
    ("submitted", "Submitted"),
    ("appealed", "Appealed"),
    ("ruled", "Ruled"),
]
# what the lifecycle methods may change once the review is submitted; nothing else, by nobody
LIFECYCLE_FIELDS = {"state", "submit_date", "appeal_reason", "appeal_date", "ruling", "ruling_note", "ruled_score",
                    "ruled_by_id", "ruling_date"}
# computed from the lines and the call: never written by a client
COMPUTED_FIELDS = {"score", "fatal", "final_score", "band_id", "agent_id", "call_time", "case_id", "state_order"}
IMMUTABLE_FIELDS = {"call_id", "scorecard_id", "plan_id", "calibration_id", "sample_reason"}


class HotlineQualityReview(models.Model):
    """One inspection (质检) of one call by one inspector against a scorecard.

    draft → submitted (locked: no field changes, by anyone, ``write`` refuses them) → appealed (once, by the
    agent, with a reason) → ruled by a team leader (班长: reviewers): 维持 keeps the submitted score,
    改判 records a new one; the submitted score stays. ``final_score`` is the ruling's score when ruled, else
    the submitted score: the figure the agent's QA score reads (kpi/quality.py).
    """

    _name = "hotline.quality.review"
    _description = "Quality Review"
    _inherit = ["mail.thread"]
    _order = "state_order, call_time desc, id desc"
    _rec_name = "display_label"

    call_id = fields.Many2one("hotline.call", string="Call", required=True, index=True, ondelete="restrict",
                              readonly=True)
    agent_id = fields.Many2one("res.users", string="Agent", related="call_id.user_id", store=True, index=True)
    call_time = fields.Datetime(related="call_id.enter_time", store=True, string="Call Time")
    talk_seconds = fields.Integer(related="call_id.talk_seconds", string="Talk (s)")
    case_id = fields.Many2one("hotline.case", string="Case", compute="_compute_case_id", store=True)
    case_description = fields.Text(related="case_id.description", string="What the Caller Said")
    case_category_id = fields.Many2one(related="case_id.category_id")
    case_state = fields.Selection(related="case_id.state", string="Case State")
    scorecard_id = fields.Many2one("hotline.quality.scorecard", required=True, readonly=True, ondelete="restrict")
    inspector_id = fields.Many2one("res.users", string="Inspector", required=True, index=True,
                                   default=lambda self: self.env.user)
    plan_id = fields.Many2one("hotline.quality.plan", string="Sampling Plan", index=True, readonly=True,
                              ondelete="set null")
    sample_reason = fields.Selection(
        [("sample", "Random Sample"), ("complaint", "Complained-about Case"), ("long", "Long Call"),
         ("manual", "Chosen by Hand"), ("calibration", "Calibration")],
        string="Why Sampled", default="manual", readonly=True)
    calibration_id = fields.Many2one("hotline.quality.calibration", index=True, readonly=True, ondelete="cascade")
    state = fields.Selection(STATES, required=True, default="draft", readonly=True, tracking=True)
    state_order = fields.Integer(compute="_compute_state_order", store=True)
    line_ids = fields.One2many("hotline.quality.review.line", "review_id", string="Scorecard Lines")
    comment = fields.Text(string="Inspector's Comment")
    score = fields.Float(compute="_compute_score", store=True, digits=(5, 2),
                         help="The scorecard's score of the lines (kept as submitted, whatever the ruling).")
    fatal = fields.Boolean(string="Fatal Item Found", compute="_compute_score", store=True)
    submit_date = fields.Datetime(readonly=True)
    appeal_reason = fields.Text(readonly=True)
    appeal_date = fields.Datetime(readonly=True)
    ruling = fields.Selection([("upheld", "Upheld (维持)"), ("revised", "Revised (改判)")], readonly=True,
                              tracking=True)
    ruling_note = fields.Text(readonly=True)
    ruled_score = fields.Float(readonly=True, digits=(5, 2))
    ruled_by_id = fields.Many2one("res.users", string="Ruled By", readonly=True)
    ruling_date = fields.Datetime(readonly=True)
    final_score = fields.Float(compute="_compute_final_score", store=True, digits=(5, 2),
                               help="The ruling's score when ruled, else the submitted score.")
    band_id = fields.Many2one("hotline.quality.band", string="Band", compute="_compute_final_score", store=True)
    display_label = fields.Char(compute="_compute_display_label")
    player_html = fields.Html(string="Recording", compute="_compute_player_html", sanitize=False)
    has_recording = fields.Boolean(compute="_compute_player_html")
    can_appeal = fields.Boolean(compute="_compute_can_appeal")

    _call_plan_uniq = models.Constraint(
        "UNIQUE(plan_id, call_id)", "A sampling plan samples a call only once.")
    _call_calibration_inspector_uniq = models.Constraint(
        "UNIQUE(calibration_id, inspector_id)", "An inspector scores a calibration call once.")

    @api.depends("state")
    def _compute_state_order(self):
        order = {key: index for index, (key, _label) in enumerate(STATES)}
        for review in self:
            review.state_order = order.get(review.state, 0)

    @api.depends("call_id.case_ids")
    def _compute_case_id(self):
        for review in self:
            review.case_id = review.call_id.case_ids[:1]

    @api.depends("line_ids.value", "line_ids.na", "line_ids.occurrences", "line_ids.fatal_found")
    def _compute_score(self):
        for review in self:
            score = self.env["hotline.quality.scorecard"].score_lines(review.line_ids)
            review.score = score or 0.0
            review.fatal = any(line.fatal_found for line in review.line_ids)

    @api.depends("score", "state", "ruled_score", "ruling")
    def _compute_final_score(self):
        for review in self:
            review.final_score = review.ruled_score if review.state == "ruled" else review.score
            # a draft has no band yet: its score is a work in progress
            review.band_id = review.state != "draft" and review.scorecard_id.band_for(review.final_score)

    @api.depends("call_id", "agent_id")
    def _compute_display_label(self):
        for review in self:
            review.display_label = self.env._("%(agent)s · %(call)s", agent=review.agent_id.name or "?",
                                              call=review.call_id.sudo().display_label or "")

    def _recording_of(self, call):
        """Whether the call has a sound to play. The recording addon, when installed, adds ``recording_ids``
        (a purged recording keeps its record, not its sound: only a stored one plays); this addon does not
        depend on it."""
        if "recording_ids" not in call._fields:
            return False
        recordings = call.sudo().recording_ids
        if "state" in recordings._fields:
            recordings = recordings.filtered(lambda r: r.state == "stored")
        return bool(recordings)

    @api.depends("call_id")
    def _compute_player_html(self):
        for review in self:
            review.has_recording = bool(review.call_id) and self._recording_of(review.call_id)
            if not review.has_recording:
                review.player_html = Markup('<p class="text-muted o_hotline_quality_no_recording">%s</p>') % escape(
                    self.env._("无录音: the call has no recording."))
            elif "recording_player" in review.call_id._fields:
                # the recording addon's own player (its timeline of the two legs), one owner of the player
                review.player_html = review.call_id.recording_player
            else:
                review.player_html = Markup(
                    '<audio controls="controls" preload="metadata" class="w-100 o_hotline_quality_player" '
                    'src="/hotline/recording/%s"></audio>') % review.call_id.id

    @api.depends_context("uid")
    @api.depends("state", "agent_id", "appeal_date", "calibration_id")
    def _compute_can_appeal(self):
        for review in self:
            review.can_appeal = (review.state == "submitted" and review.agent_id == self.env.user
                                 and not review.appeal_date and not review.calibration_id)

    # -- creation and locking --------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if set(vals) & ((COMPUTED_FIELDS | LIFECYCLE_FIELDS) - {"state"}) or vals.get("state", "draft") != "draft":
                raise UserError(self.env._("A review starts as a draft; its score comes from its scorecard lines."))
        reviews = super().create(vals_list)
        for review in reviews:
            if not review.call_id.user_id:
                raise ValidationError(self.env._("The call %s has no agent to inspect.",
                                                 review.call_id.display_label))
            if not review.line_ids:
                review._fill_lines()
        return reviews

    def _fill_lines(self):
        for review in self:
            self.env["hotline.quality.review.line"].create([
                {"review_id": review.id, "item_id": item.id, "value": 0.0}
                for item in review.scorecard_id.item_ids])

    def write(self, vals):
        locked = self.filtered(lambda r: r.state != "draft")
        if locked and set(vals) - {"message_main_attachment_id"}:
            raise UserError(self.env._(
                "A submitted review is locked: it can no longer be changed (appeal it, a team leader rules)."))
        if set(vals) & (LIFECYCLE_FIELDS | COMPUTED_FIELDS):
            raise UserError(self.env._(
                "A review's state and scores change only by submitting, appealing and ruling it."))
        if set(vals) & IMMUTABLE_FIELDS:
            raise UserError(self.env._("The call, scorecard and origin of a review cannot be changed."))
        if "inspector_id" in vals and not self.env.user.has_group("hotline_case.group_manager"):
            raise AccessError(self.env._("Only a manager can hand a review to another inspector."))
        return super().write(vals)

    def _write_lifecycle(self, vals):
        """The appeal and ruling steps' write on a locked review: only their own fields, past this model's lock
        (the parent's write, on purpose)."""
        assert set(vals) <= LIFECYCLE_FIELDS, set(vals) - LIFECYCLE_FIELDS
        return super().write(vals)  # pylint: disable=super-method-mismatch

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        if self.filtered(lambda r: r.state != "draft"):
            raise UserError(self.env._("A submitted review cannot be deleted."))

    # -- lifecycle -------------------------------------------------------------------------------------
    def action_submit(self):
        for review in self:
            if review.state != "draft":
                raise UserError(self.env._("The review is already submitted."))
            if review.inspector_id != self.env.user and not self.env.user.has_group("hotline_case.group_manager"):
                raise AccessError(self.env._("Only the review's inspector can submit it."))
            if self.env["hotline.quality.scorecard"].score_lines(review.line_ids) is None:
                raise UserError(self.env._("Every scored item is N/A: score at least one item before submitting."))
            review._write_lifecycle({"state": "submitted", "submit_date": fields.Datetime.now()})
        return True

    def action_appeal(self, reason):
        """The agent's appeal, once per review, with a reason; the team leaders rule."""
        self.ensure_one()
        reason = (reason or "").strip()
        if self.agent_id != self.env.user:
            raise AccessError(self.env._("Only the agent of the call can appeal the review."))
        if self.calibration_id:
            raise UserError(self.env._("A calibration review cannot be appealed."))
        if self.appeal_date:
            raise UserError(self.env._("The review has already been appealed: an appeal is allowed once."))
        if self.state != "submitted":
            raise UserError(self.env._("Only a submitted review can be appealed."))
        if not reason:
            raise UserError(self.env._("Give the reason of the appeal."))
        self.sudo()._write_lifecycle({"state": "appealed", "appeal_reason": reason,
                                      "appeal_date": fields.Datetime.now()})
        self.sudo().message_post(body=self.env._("Appealed by %(agent)s: %(reason)s", agent=self.env.user.name,
                                                 reason=reason))
        return True

    def action_rule(self, decision, score=None, note=None):
        """The team leader's ruling (班长, reviewer group): 'upheld' keeps the score, 'revised' sets `score`."""
        self.ensure_one()
        if not self.env.user.has_group("hotline_case.group_reviewer"):
            raise AccessError(self.env._("Only a team leader rules an appeal."))
        if self.state != "appealed":
            raise UserError(self.env._("Only an appealed review can be ruled."))
        if self.agent_id == self.env.user or self.inspector_id == self.env.user:
            raise AccessError(self.env._("The agent or the inspector of a review cannot rule its appeal."))
        if decision not in ("upheld", "revised"):
            raise UserError(self.env._("Choose to uphold or to revise the score."))
        if decision == "revised":
            if score is None or score is False or not 0 <= float(score) <= 100:
                raise UserError(self.env._("A revised score lies between 0 and 100."))
            new_score = round(float(score), 2)
        else:
            new_score = self.score
        self.sudo()._write_lifecycle({
            "state": "ruled", "ruling": decision, "ruled_score": new_score, "ruling_note": (note or "").strip(),
            "ruled_by_id": self.env.user.id, "ruling_date": fields.Datetime.now()})
        return True

    def action_open_appeal(self):
        self.ensure_one()
        return self.env["hotline.quality.appeal.wizard"]._open(self, "appeal")

    def action_open_ruling(self):
        self.ensure_one()
        return self.env["hotline.quality.appeal.wizard"]._open(self, "rule")


class HotlineQualityReviewLine(models.Model):
    """The inspector's mark for one scorecard item; changes only while the review is a draft."""

    _name = "hotline.quality.review.line"
    _description = "Quality Review Line"
    _order = "sequence, id"

    review_id = fields.Many2one("hotline.quality.review", required=True, index=True, ondelete="cascade")
    item_id = fields.Many2one("hotline.quality.scorecard.item", required=True, ondelete="restrict")
    sequence = fields.Integer(related="item_id.sequence", store=True)
    group_id = fields.Many2one(related="item_id.group_id", string="Group")
    kind = fields.Selection(related="item_id.kind")
    weight = fields.Float(related="item_id.weight")
    allow_na = fields.Boolean(related="item_id.allow_na")
    value = fields.Float(string="Rating", help="Points up to the weight, or 0-100, as the scorecard's scale says.")
    na = fields.Boolean(string="N/A")
    occurrences = fields.Integer(help="Times the deduction item occurred (服务禁语 said twice: 2).")
    fatal_found = fields.Boolean(string="Found", help="The fatal item occurred: the review scores 0.")
    note = fields.Char()

    _item_uniq = models.Constraint("UNIQUE(review_id, item_id)", "An item is scored once per review.")
    _occurrences_positive = models.Constraint("CHECK(occurrences >= 0)", "Occurrences cannot be negative.")

    @api.constrains("value", "na", "item_id")
    def _check_value(self):
        for line in self:
            item = line.item_id
            if line.na and not item.allow_na:
                raise ValidationError(self.env._("The item %s cannot be marked N/A.", item.name))
            if item.kind == "score":
                full = item.weight if item.scorecard_id.scale == "points" else 100.0
                if not 0 <= line.value <= full:
                    raise ValidationError(self.env._("The rating of %(item)s lies between 0 and %(full)s.",
                                                     item=item.name, full=f"{full:g}"))
            if item.scorecard_id != line.review_id.scorecard_id:
                raise ValidationError(self.env._("The item %s is not on the review's scorecard.", item.name))

    def _check_draft(self):
        if self.review_id.filtered(lambda r: r.state != "draft"):
            raise UserError(self.env._(
                "A submitted review is locked: it can no longer be changed (appeal it, a team leader rules)."))

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_draft()
        return lines

    def write(self, vals):
        self._check_draft()
        if "review_id" in vals or "item_id" in vals:
            raise UserError(self.env._("A scorecard line cannot be moved to another review or item."))
        return super().write(vals)

    def unlink(self):
        self._check_draft()
        return super().unlink()
