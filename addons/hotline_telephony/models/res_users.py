import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..ami.adapter import AmiError
from .hotline_agent_state import member_state, to_ms

_logger = logging.getLogger(__name__)



class ResUsers(models.Model):
    _inherit = "res.users"

    hotline_interface = fields.Char(string="Phone Interface", copy=False,
                                    help="Asterisk interface of the agent's phone, e.g. PJSIP/agent1.")
    hotline_extension = fields.Char(string="Extension", copy=False)

    _hotline_interface_unique = models.UniqueIndex("(hotline_interface) WHERE hotline_interface IS NOT NULL",
                                                   "Each phone interface belongs to one agent.")

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["hotline_interface", "hotline_extension"]

    # -- agent desk actions (签入/签出/示忙/示闲) ---------------------------------
    def _hotline_check_agent(self):
        self.ensure_one()
        if self != self.env.user and not self.env.user.has_group("hotline_case.group_manager"):
            raise UserError(self.env._("You can only change your own phone state."))
        if not self.has_group("hotline_case.group_agent"):
            raise UserError(self.env._("%s is not a hotline agent.", self.name))
        if not self.hotline_interface:
            raise UserError(self.env._("No phone interface is set for %s: ask a manager to set it "
                                       "(e.g. PJSIP/agent1).", self.name))

    def _hotline_ami(self, fn):
        """Run fn(client, pbx) on a fresh AMI connection (never shared between workers)."""
        pbx = self.env["hotline.pbx"]._get_active()
        client = pbx._ami_client()
        try:
            return fn(client, pbx)
        except AmiError as exc:
            raise UserError(self.env._("The PBX refused the request: %s", exc)) from exc
        finally:
            client.close()

    def hotline_login(self):
        """签入: add the agent's phone to every hotline queue as a dynamic member."""
        self._hotline_check_agent()
        # "Unable to add interface: Already there" means signed in already: fine.
        return self._hotline_member_action("QueueAdd", tolerated="Already")

    def hotline_logout(self):
        """签出: remove the agent's phone from the hotline queues."""
        self._hotline_check_agent()
        return self._hotline_member_action("QueueRemove", tolerated="Not there")

    def _hotline_member_action(self, action, tolerated):
        """Send a queue-member action for the agent's phone on every hotline queue.

        `tolerated` is the error Asterisk answers when the phone is already in the wanted state, which
        keeps sign-in and sign-out idempotent.
        """
        def run(client, pbx):
            for queue in pbx._queue_list():
                reply = client.action({"Action": action, "Queue": queue, "Interface": self.hotline_interface})
                if reply.get("Response") == "Error" and tolerated not in (reply.get("Message") or ""):
                    raise AmiError(reply.get("Message"))
        self._hotline_ami(run)
        return self.hotline_agent_state()

    def hotline_pause(self, reason=None):
        """示忙 with a reason (or 示闲 when reason is False and unpause is wanted, see hotline_unpause)."""
        self._hotline_check_agent()
        reason = (reason or "").strip()[:80] or self.env._("Busy")

        def run(client, pbx):
            for queue in pbx._queue_list():
                client.queue_pause(queue, self.hotline_interface, True, reason)
        self._hotline_ami(run)
        return self.hotline_agent_state()

    def hotline_unpause(self):
        """示闲: back to taking calls."""
        self._hotline_check_agent()

        def run(client, pbx):
            for queue in pbx._queue_list():
                client.queue_pause(queue, self.hotline_interface, False)
        self._hotline_ami(run)
        return self.hotline_agent_state()

    @api.model
    def hotline_agent_state(self, live=True):
        """The agent's state for their systray, in the floor's vocabulary (hotline.agent.state).

        live=True asks Asterisk (QueueStatus) on a fresh AMI connection - used right after
        an action. live=False reads what the bridge recorded from Asterisk's events (no AMI
        round trip: the systray polls with it), falling back to AMI when the bridge is down.
        """
        user = self.env.user if not self else self
        user.ensure_one()
        state = user._hotline_empty_state()
        state["last_rating"] = user._hotline_last_rating()
        if not user.hotline_interface or not self.env["hotline.pbx"].sudo().search_count([]):
            return state
        if not live and self.env["hotline.pbx"]._get_active().bridge_status == "connected":
            return user._hotline_recorded_state(state)

        def run(client, pbx):
            signed_in, paused, reason, status = False, False, "", 0
            for queue in pbx._queue_list():
                for member in client.queue_status(queue)["members"]:
                    if user.hotline_interface in (member.get("StateInterface"), member.get("Location"),
                                                  member.get("Name")):
                        signed_in = True
                        paused = paused or member.get("Paused") == "1"
                        reason = member.get("PausedReason") or reason
                        status = max(status, int(member.get("Status") or 0))
            state.update(logged_in=signed_in, paused=paused, reason=reason,
                         state=member_state(signed_in, paused, status))
        try:
            user._hotline_ami(run)
        except UserError as exc:
            state["error"] = str(exc)
        return state

    def _hotline_empty_state(self):
        return {"configured": bool(self.hotline_interface), "logged_in": False, "paused": False,
                "reason": "", "state": "offline", "since": False, "queues": [],
                "interface": self.hotline_interface or "", "recording": False}

    def _hotline_last_rating(self):
        """一次一评 of the agent's latest rated call of the last day, for their systray: what the caller
        pressed about the call just finished (the call's rating fields; no caller data leaves)."""
        self.ensure_one()
        Call = self.env["hotline.call"].sudo()
        call = Call.search([("user_id", "=", self.id), ("rating_state", "=", "rated"),
                            ("rating_time", ">=", fields.Datetime.now() - timedelta(days=1))],
                           order="rating_time desc, id desc", limit=1)
        if not call:
            return False
        labels = dict(Call._fields["rating"]._description_selection(self.env))
        return {"rating": call.rating, "label": labels.get(call.rating, ""), "time": to_ms(call.rating_time)}

    def _hotline_recorded_state(self, state):
        """`state` (an empty state) filled from what the bridge recorded (hotline.agent.state)."""
        self.ensure_one()
        agents = self.env["hotline.agent.state"].sudo()._states(self)
        if agents:
            agent = agents[0]
            state.update(logged_in=bool(agent["queues"]), paused=agent["paused"], reason=agent["reason"],
                         state=agent["state"], since=to_ms(agent["since"]), queues=agent["queues"],
                         recording=agent["recording"])
        return state
