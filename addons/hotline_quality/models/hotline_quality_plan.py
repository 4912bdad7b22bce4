import math
import random
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

INSPECTED_OUTCOMES = ("answered", "transferred", "outbound_answered")
COMPLAINT_SATISFACTION = ("dissatisfied", "very_dissatisfied")


class HotlineQualityPlan(models.Model):
    """抽检计划: which calls go to the inspectors' queues, filled by a cron.

    Each local week (Monday to Sunday, the center's time zone), per agent, a random sample of the calls the
    agent answered or placed: N % of them (rounded up) or N calls; plus every call of a complained-about case (rated
    不满意 / 很不满意 at the callback) and every call whose talk reaches a length. A plan samples a call once
    (a constraint on the reviews). Each new review goes to the plan's inspector with the fewest reviews
    still to score, so the queues stay balanced.
    """

    _name = "hotline.quality.plan"
    _description = "Quality Sampling Plan"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    scorecard_id = fields.Many2one("hotline.quality.scorecard", required=True, ondelete="restrict")
    inspector_ids = fields.Many2many(
        "res.users", "hotline_quality_plan_inspector_rel", "plan_id", "user_id", string="Inspectors",
        domain=lambda self: [("all_group_ids", "in", self.env.ref("hotline_quality.group_inspector").ids)])
    sample_mode = fields.Selection(
        [("percent", "Percentage of each agent's calls"), ("count", "Calls per agent and week")],
        required=True, default="percent")
    sample_percent = fields.Float(string="Percentage", default=3.0,
                                  help="Share of each agent's calls of the week sampled, rounded up.")
    sample_count = fields.Integer(string="Calls per Week", default=5)
    include_complaints = fields.Boolean(
        string="Every Call of a Complained-about Case", default=True,
        help="Every call of a case the caller rated 不满意 or 很不满意 at the callback.")
    long_call_seconds = fields.Integer(
        string="Every Call Longer Than (s)", default=0, help="0: no sampling by length.")
    start_date = fields.Date(required=True, default=fields.Date.context_today,
                             help="Calls before this day are never sampled.")
    last_run = fields.Datetime(readonly=True)
    review_ids = fields.One2many("hotline.quality.review", "plan_id", string="Reviews")
    review_count = fields.Integer(compute="_compute_review_count")

    _percent_range = models.Constraint("CHECK(sample_percent >= 0 AND sample_percent <= 100)",
                                       "The sampled percentage lies between 0 and 100.")
    _count_positive = models.Constraint("CHECK(sample_count >= 0)", "The calls per week cannot be negative.")
    _long_positive = models.Constraint("CHECK(long_call_seconds >= 0)", "The call length cannot be negative.")

    def _compute_review_count(self):
        counts = dict(self.env["hotline.quality.review"]._read_group(
            [("plan_id", "in", self.ids)], ["plan_id"], ["__count"]))
        for plan in self:
            plan.review_count = counts.get(plan, 0)

    @api.constrains("inspector_ids")
    def _check_inspectors(self):
        group = self.env.ref("hotline_quality.group_inspector")
        for plan in self:
            if plan.inspector_ids.filtered(lambda u: group not in u.all_group_ids):
                raise ValidationError(self.env._("Only quality inspectors can be given the plan's calls."))

    # -- sampling ------------------------------------------------------------------------------------
    @api.model
    def _sampling_week(self, moment):
        """(start, end) naive UTC of the center's local week (Monday 00:00 to next Monday) holding `moment`."""
        company = self.env.company
        local = company._hotline_local_day(moment)
        monday = local - timedelta(days=local.weekday())
        return company._hotline_day_bounds(monday, monday + timedelta(days=6))

    def _start_utc(self):
        return self.env.company._hotline_day_bounds(self.start_date)[0]

    @api.model
    def _cron_sample(self):
        for plan in self.search([("inspector_ids", "!=", False)]):
            plan._sample()

    def action_sample(self):
        for plan in self:
            plan._sample()
        return True

    def _sample(self, now=None):
        """Fill the inspectors' queues with the samples of last week and this week (the calls of last week's
        last hours are sampled once that week is over); returns the new reviews."""
        self.ensure_one()
        if not self.inspector_ids:
            raise UserError(self.env._("The plan %s has no inspector to give calls to.", self.name))
        now = now or fields.Datetime.now()
        Call = self.env["hotline.call"].sudo()
        sampled = set(self.env["hotline.quality.review"].sudo().search([("plan_id", "=", self.id)]).call_id.ids)
        base = [("user_id", "!=", False), ("outcome", "in", INSPECTED_OUTCOMES), ("end_time", "!=", False)]
        picks = []  # (call, reason)
        this_week = self._sampling_week(now)
        if self.include_complaints:
            complained = Call.search(base + [("enter_time", ">=", self._start_utc()),
                                             ("enter_time", "<", this_week[1]),
                                             ("case_ids.satisfaction", "in", COMPLAINT_SATISFACTION)],
                                     order="enter_time, id")
            picks += [(call, "complaint") for call in complained if call.id not in sampled]
            sampled.update(complained.ids)
        for week_start, week_end in (self._sampling_week(this_week[0] - timedelta(days=1)), this_week):
            picks += self._sample_week(Call, base, week_start, week_end, sampled)
        reviews = self._assign(picks)
        self.sudo().last_run = now
        return reviews

    def _sample_week(self, Call, base, week_start, week_end, sampled):
        """The long calls and each agent's random quota of one week; `sampled` gains the picked calls."""
        since = max(week_start, self._start_utc())
        if since >= week_end:
            return []
        week_calls = Call.search(base + [("enter_time", ">=", since), ("enter_time", "<", week_end)],
                                 order="enter_time, id")
        picks = []
        if self.long_call_seconds:
            long_calls = week_calls.filtered(lambda c: c.talk_seconds >= self.long_call_seconds)
            picks += [(call, "long") for call in long_calls if call.id not in sampled]
            sampled.update(long_calls.ids)
        by_agent = defaultdict(list)
        for call in week_calls:
            by_agent[call.user_id].append(call)
        done = defaultdict(int)
        for agent, count in self.env["hotline.quality.review"].sudo()._read_group(
                [("plan_id", "=", self.id), ("sample_reason", "=", "sample"),
                 ("call_time", ">=", week_start), ("call_time", "<", week_end)], ["agent_id"], ["__count"]):
            done[agent] = count
        rng = random.SystemRandom()
        for agent, calls in by_agent.items():
            if self.sample_mode == "percent":
                wanted = math.ceil(len(calls) * self.sample_percent / 100.0 - 1e-9)
            else:
                wanted = self.sample_count
            pool = [call for call in calls if call.id not in sampled]
            chosen = rng.sample(pool, min(max(0, wanted - done[agent]), len(pool)))
            sampled.update(call.id for call in chosen)
            picks += [(call, "sample") for call in chosen]
        return picks

    def _assign(self, picks):
        """One draft review per picked call, each to the inspector with the fewest reviews to score."""
        Review = self.env["hotline.quality.review"].sudo()
        load = dict.fromkeys(self.inspector_ids.ids, 0)
        for inspector, count in Review._read_group(
                [("state", "=", "draft"), ("inspector_id", "in", self.inspector_ids.ids)],
                ["inspector_id"], ["__count"]):
            load[inspector.id] = count
        values = []
        for call, reason in picks:
            inspector = min(load, key=lambda uid: (load[uid], uid))
            load[inspector] += 1
            values.append({"call_id": call.id, "plan_id": self.id, "scorecard_id": self.scorecard_id.id,
                           "inspector_id": inspector, "sample_reason": reason})
        return Review.create(values)

    def action_open_reviews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("hotline_quality.action_hotline_quality_review")
        action["domain"] = [("plan_id", "=", self.id)]
        action["context"] = {}
        return action
