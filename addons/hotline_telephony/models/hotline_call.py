import re
import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..ami.adapter import AmiError

SCREEN_POP = "hotline_telephony/screen_pop"

OUTCOMES = [
    ("answered", "Answered"),
    ("abandoned", "Abandoned in Queue"),
    ("timeout", "Queue Timeout"),
    ("exit_empty", "Left Empty Queue"),
    ("exit_key", "Left by Key"),
    ("transferred", "Transferred"),
    ("outbound_answered", "Outbound Answered"),
    ("outbound_unanswered", "Outbound Unanswered"),
]

RATING_STATES = [
    ("offered", "Offered, Caller Hung Up"),
    ("rated", "Rated"),
    ("no_key", "No Key Pressed"),
    ("invalid", "Other Key"),
]
RATINGS = [("satisfied", "Satisfied"), ("basic", "Basically Satisfied"), ("unsatisfied", "Unsatisfied")]


class HotlineCall(models.Model):
    """One call as Asterisk saw it. Written by the AMI bridge only (facts, not user input)."""

    _name = "hotline.call"
    _description = "Hotline Call"
    _order = "enter_time desc, id desc"
    _rec_name = "display_label"

    uniqueid = fields.Char(string="Unique ID", required=True, index=True, readonly=True, copy=False)
    linkedid = fields.Char(string="Linked ID", index=True, readonly=True)
    pbx_id = fields.Many2one("hotline.pbx", string="PBX", readonly=True, index=True)
    direction = fields.Selection([("inbound", "Inbound"), ("outbound", "Outbound")], required=True,
                                 default="inbound", readonly=True, index=True)
    caller_number = fields.Char(readonly=True, index=True, help="The caller id as the PBX received it.")
    # the caller id in the center's format (13893112345, 0931-8827316), as cases store caller phones:
    # calls are found by it and tied to the caller's cases
    caller_phone = fields.Char(string="Caller Phone", compute="_compute_caller_phone", store=True, index=True)
    called_number = fields.Char(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Caller", readonly=True, index=True)
    queue = fields.Char(readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True, index=True)
    interface = fields.Char(string="Agent Interface", readonly=True)
    enter_time = fields.Datetime(string="Start", readonly=True, index=True)
    answer_time = fields.Datetime(string="Answered", readonly=True)
    end_time = fields.Datetime(string="End", readonly=True)
    wait_seconds = fields.Integer(string="Wait (s)", readonly=True, aggregator="avg")
    ring_seconds = fields.Integer(string="Ring (s)", readonly=True, aggregator="avg")
    talk_seconds = fields.Integer(string="Talk (s)", readonly=True, aggregator="sum")
    outcome = fields.Selection(OUTCOMES, readonly=True, index=True)
    outcome_source = fields.Selection([("ami", "AMI"), ("dialplan", "Dialplan"), ("queue_log", "queue_log")],
                                      readonly=True)
    completed_by = fields.Selection([("caller", "Caller"), ("agent", "Agent"), ("transfer", "Transfer")],
                                    readonly=True)
    cut_off = fields.Boolean(string="Cut Off", readonly=True,
                             help="The PBX stopped (crash, power loss) during the call and logged no end for it: "
                                  "the call ends when the PBX was last known alive.")
    position = fields.Integer(string="Queue Position", readonly=True)
    orig_position = fields.Integer(string="Original Position", readonly=True)
    originate_action_id = fields.Char(readonly=True, index="btree_not_null", copy=False)
    attempt_ids = fields.One2many("hotline.call.attempt", "call_id", string="Ring Attempts", readonly=True)
    missed_attempt_count = fields.Integer(compute="_compute_missed_attempt_count", store=True,
                                          string="Ring-No-Answer")
    case_ids = fields.Many2many("hotline.case", "hotline_call_case_rel", "call_id", "case_id", string="Cases")
    display_label = fields.Char(compute="_compute_display_label")
    # 一次一评: offered when the agent hung up first; rated, no key, or a key the site does not use
    rating_state = fields.Selection(RATING_STATES, string="Rating", readonly=True, index="btree_not_null")
    rating = fields.Selection(RATINGS, string="Caller's Rating", readonly=True)
    rating_key = fields.Char(string="Key Pressed", readonly=True)
    rating_time = fields.Datetime(string="Rated At", readonly=True)

    _uniqueid_unique = models.UniqueIndex("(pbx_id, uniqueid)")

    # -- screen pop ------------------------------------------------------------
    def _screen_pop_payload(self, user):
        """Caller number, matching partner, count and last cases: what the agent sees."""
        self.ensure_one()
        Case = self.env["hotline.case"].sudo().with_context(lang=user.lang)
        domain = []
        if self.partner_id:
            domain = [("partner_id", "=", self.partner_id.id)]
        if self.caller_phone:
            domain = ["|", ("caller_phone", "=", self.caller_phone)] + domain if domain \
                else [("caller_phone", "=", self.caller_phone)]
        cases = Case.search_fetch(domain, ["name", "state", "create_date"], order="id desc", limit=5) \
            if domain else Case
        # one query in the usual case (a caller with fewer than 5 cases)
        count = len(cases) if len(cases) < 5 else Case.search_count(domain)
        states = dict(Case._fields["state"]._description_selection(Case.env))
        return {
            "call_id": self.id,
            "uniqueid": self.uniqueid,
            "caller_number": self.caller_phone or "",
            "queue": self.queue or "",
            "wait_seconds": self.wait_seconds,
            "partner": {"id": self.partner_id.id, "name": self.partner_id.name} if self.partner_id else False,
            "case_count": count,
            "cases": [{"id": c.id, "name": c.name, "state": c.state, "state_label": states.get(c.state, c.state),
                       "date": c.create_date and c.create_date.isoformat()} for c in cases],
        }

    def _send_screen_pop(self, user=None):
        """Send the screen pop on `user`'s own bus channel (default: the call's agent)."""
        self.ensure_one()
        user = user or self.user_id
        payload = self._screen_pop_payload(user)
        user._bus_send(SCREEN_POP, payload)
        return payload

    def action_screen_pop(self):
        """Show the caller's screen pop again (e.g. after closing it) to the current agent."""
        self.ensure_one()
        self.check_access("read")
        self.sudo()._send_screen_pop(self.env.user)
        return True

    @api.depends("caller_number")
    def _compute_caller_phone(self):
        for call in self:
            call.caller_phone = call._normalized(call.caller_number)

    def _normalized(self, number):
        """`number` in the center's format, or as it is when it is no phone number (anonymous, 8001)."""
        if not number:
            return False
        try:
            return self.env.company._hotline_normalize_phone(number)
        except UserError:
            return number

    @api.depends("attempt_ids.result")
    def _compute_missed_attempt_count(self):
        for call in self:
            call.missed_attempt_count = len(call.attempt_ids.filtered(lambda a: a.result == "noanswer"))

    @api.depends("caller_phone", "called_number", "direction", "enter_time")
    def _compute_display_label(self):
        for call in self:
            number = call.caller_phone if call.direction == "inbound" else call.called_number
            call.display_label = "{} {}".format(number or "?", fields.Datetime.to_string(call.enter_time) or "")

    def action_new_case(self):
        """Open a new case form pre-filled from this call (screen pop button)."""
        self.ensure_one()
        self.check_access("read")
        ctx = {
            "default_channel": "phone",
            "default_caller_phone": self.caller_phone,
            "default_partner_id": self.partner_id.id,
            "default_call_ids": [(6, 0, self.ids)],
        }
        return {
            "type": "ir.actions.act_window",
            "res_model": "hotline.case",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": ctx,
        }

    # -- click-to-dial ---------------------------------------------------------
    @api.model
    def _originate(self, number, partner=None, cases=None):
        """Ring the current agent's phone, then dial `number` (async Originate).

        The outbound call is recorded at once (keyed by the Originate's ActionID until the
        bridge learns the channel's uniqueid from OriginateResponse) and linked to `cases`.
        """
        user = self.env.user
        user._hotline_check_agent()
        if not number:
            raise UserError(self.env._("There is no phone number to call."))
        number = self.env.company._hotline_normalize_phone(number)
        dial = re.sub(r"\D", "", number)
        pbx = self.env["hotline.pbx"]._get_active()
        action_id = f"odoo-dial-{uuid.uuid4().hex}"
        call = self.sudo().create({
            "uniqueid": action_id,
            "originate_action_id": action_id,
            "pbx_id": pbx.id,
            "direction": "outbound",
            "caller_number": user.hotline_extension or user.hotline_interface,
            "called_number": number,
            "partner_id": partner.id if partner else False,
            "user_id": user.id,
            "interface": user.hotline_interface,
            "enter_time": fields.Datetime.now(),
            "case_ids": [(6, 0, cases.ids)] if cases else [],
        })
        client = pbx._ami_client()
        try:
            client.originate(
                channel=user.hotline_interface, exten=dial, context=pbx.sudo().originate_context,
                caller_id=f'"12319" <{dial}>', variables={"HOTLINE_CALL_ID": call.id},
                timeout_ms=(pbx.originate_timeout or 30) * 1000, action_id=action_id,
            )
        except AmiError as exc:
            raise UserError(self.env._("The PBX refused the call: %s", exc)) from exc
        finally:
            client.close()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Calling %s", number),
                "message": self.env._("Your phone rings first; pick it up to call the citizen."),
                "type": "info",
                "sticky": False,
            },
        }
