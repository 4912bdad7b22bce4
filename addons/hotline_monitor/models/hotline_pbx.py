import logging

from odoo import models

_logger = logging.getLogger(__name__)


class HotlinePbx(models.Model):
    _inherit = "hotline.pbx"

    def _bridge_report(self, status, facts):
        """Every heartbeat reaches the boards: they show a delay once it stops (kill -9 included)."""
        result = super()._bridge_report(status, facts)
        if self == self.search([], limit=1):  # the PBX the boards follow
            try:
                with self.env.cr.savepoint():
                    self.env["hotline.monitor.live"]._push_bridge()
            except Exception:  # noqa: BLE001 - a board must never stop the bridge's heartbeat
                _logger.exception("hotline_monitor: pushing the bridge's heartbeat failed")
        return result

    def _hotline_facts_applied(self, facts):
        """Push the tiles and the calls waiting the batch changed, in the bridge's transaction (sent on its
        commit): the board follows the PBX within the batch."""
        result = super()._hotline_facts_applied(facts)
        self._push_floor_changes(facts, figures=False)
        return result

    def _hotline_facts_settled(self, facts):
        """The day's figures of the queues the batches changed, at most once a second: they cost more as
        the day's calls grow, and no longer inside the bridge's transaction."""
        result = super()._hotline_facts_settled(facts)
        self._push_floor_changes(facts, figures=True)
        return result

    def _push_floor_changes(self, facts, figures):
        interfaces, queues = set(), {f["queue"] for f in facts if f.get("queue") and f.get("kind") in (
            "enter", "connect", "complete", "exit")}
        if not figures:  # tiles: each batch's agents
            interfaces = {f["interface"] for f in facts if f.get("interface")}
            # an outbound call (click-to-dial) carries no interface: its agent's tile changes
            call_ids = [f["call_id"] for f in facts if f.get("call_id")]
            action_ids = [f["action_id"] for f in facts if f.get("action_id")]
            if call_ids or action_ids:
                calls = self.env["hotline.call"].sudo().search(
                    ["|", ("id", "in", call_ids), ("originate_action_id", "in", action_ids)])
                interfaces |= set(calls.mapped("interface")) - {False}
        if not (interfaces or queues):
            return
        try:
            with self.env.cr.savepoint():
                self.env["hotline.monitor.live"]._push_floor(interfaces, queues, figures)
        except Exception:  # noqa: BLE001 - a board must never stop the ingestion of calls
            _logger.exception("hotline_monitor: pushing the floor's changes failed")
