"""The board's one door to the KPI definitions.

Today's queue, agent and case figures on the board must be the reports' figures. This adapter is the
only place the board asks for them: when hotline_reports' KPI services (hotline.kpi.call,
hotline.kpi.case) are installed they answer; the fallback below keeps the same definitions
(/work/shared/domain.md: offered = entered the queue, answered = CONNECT, abandoned = ABANDON only,
service level = answered within T / answered) until then.
"""

from odoo import api, fields, models
from odoo.fields import Domain

ANSWERED = ("answered", "transferred")


class HotlineMonitorKpi(models.AbstractModel):
    _name = "hotline.monitor.kpi"
    _description = "Hotline Board KPI Adapter"

    def _service(self, name):
        return self.env[name].sudo() if name in self.env else None

    # -- calls ------------------------------------------------------------------------
    @api.model
    def _queue_figures(self, queues, start, end, sl_seconds):
        """{queue: {offered, answered, abandoned, answer_rate, service_level}} for [start, end)."""
        kpi = self._service("hotline.kpi.call")
        if kpi is not None and hasattr(kpi, "queue_figures"):
            return kpi.queue_figures(queues, start, end, sl_seconds=sl_seconds)
        Call = self.env["hotline.call"].sudo()
        base = [("queue", "in", queues), ("direction", "=", "inbound"), ("enter_time", ">=", start),
                ("enter_time", "<", end)]
        rows = Call._read_group(base, ["queue", "outcome"], ["__count"])
        quick = dict(Call._read_group(base + [("outcome", "in", ANSWERED), ("wait_seconds", "<=", sl_seconds)],
                                      ["queue"], ["__count"]))
        result = {q: {"offered": 0, "answered": 0, "abandoned": 0} for q in queues}
        for queue, outcome, count in rows:
            figures = result[queue]
            figures["offered"] += count
            if outcome in ANSWERED:
                figures["answered"] += count
            elif outcome == "abandoned":
                figures["abandoned"] += count
        for queue, figures in result.items():
            figures["answer_rate"] = round(100.0 * figures["answered"] / figures["offered"], 1) \
                if figures["offered"] else None
            figures["service_level"] = round(100.0 * quick.get(queue, 0) / figures["answered"], 1) \
                if figures["answered"] else None
        return result

    @api.model
    def _agent_figures(self, user, start, end):
        """Today's figures of one agent (the agent panel)."""
        kpi = self._service("hotline.kpi.call")
        if kpi is not None and hasattr(kpi, "agent_figures"):
            return kpi.agent_figures(user, start, end)
        env = self.env(su=True)
        Call = env["hotline.call"]
        iface = user.hotline_interface
        inbound = Call._read_group([("user_id", "=", user.id), ("direction", "=", "inbound"),
                                    ("outcome", "in", ANSWERED), ("enter_time", ">=", start),
                                    ("enter_time", "<", end)], [], ["__count", "talk_seconds:sum"])[0]
        outbound = dict(((k, (c, t)) for k, c, t in Call._read_group(
            [("user_id", "=", user.id), ("direction", "=", "outbound"), ("enter_time", ">=", start),
             ("enter_time", "<", end)], ["outcome"], ["__count", "talk_seconds:sum"])))
        missed = env["hotline.call.attempt"].search_count([("interface", "=", iface), ("result", "=", "noanswer"),
                                                            ("time", ">=", start), ("time", "<", end)])
        now = fields.Datetime.now()

        def clipped(a, b):
            a, b = max(a, start), min(b or now, end, now)
            return max(0, int((b - a).total_seconds()))
        pauses = {}
        for p in env["hotline.agent.pause"].search_fetch(
                [("interface", "=", iface), ("start", "<", end), "|", ("end", "=", False), ("end", ">", start)],
                ["reason", "start", "end"]):
            pauses[p.reason or ""] = pauses.get(p.reason or "", 0) + clipped(p.start, p.end)
        sessions = env["hotline.agent.session"].search_fetch(
            [("interface", "=", iface), ("login_time", "<", end), "|", ("logout_time", "=", False),
             ("logout_time", ">", start)], ["queue", "login_time", "logout_time"], order="login_time")
        # signed-in time counts the union over queues (one agent in two queues is one person signed in)
        signed, cursor = 0, start
        for s in sessions:
            a, b = max(s.login_time, cursor, start), min(s.logout_time or now, end, now)
            if b > a:
                signed += int((b - a).total_seconds())
                cursor = b
        first = min([s.login_time for s in sessions if s.login_time >= start] or [False]) or False
        cases = env["hotline.case"].search_count([("agent_id", "=", user.id), ("create_date", ">=", start),
                                                  ("create_date", "<", end)])
        out_total = sum(c for c, _t in outbound.values())
        return {
            "inbound_answered": inbound[0],
            "outbound_answered": outbound.get("outbound_answered", (0, 0))[0],
            "outbound_total": out_total,
            "missed_rings": missed,
            "talk_in": inbound[1] or 0,
            "talk_out": sum(t or 0 for _c, t in outbound.values()),
            "pauses": pauses,
            "signed_in": signed,
            "first_login": first and fields.Datetime.to_string(first),
            "cases": cases,
        }

    # -- cases ------------------------------------------------------------------------
    @api.model
    def _case_situation(self, start, end):
        """实时情况检查: today's intake and the open cases' deadlines."""
        kpi = self._service("hotline.kpi.case")
        if kpi is not None and hasattr(kpi, "situation"):
            return kpi.situation(start, end)
        Case = self.env["hotline.case"].sudo()
        today = [("date_received", ">=", start), ("date_received", "<", end), ("state", "!=", "draft")]
        channels = dict(Case._fields["channel"]._description_selection(self.env))
        states = dict(Case._fields["state"]._description_selection(self.env))
        by_channel = [{"key": k, "label": channels.get(k, k), "count": c}
                      for k, c in Case._read_group(today, ["channel"], ["__count"])]
        Log = self.env["hotline.case.log"].sudo()
        outcome_labels = {"close_on_call": self.env._("Closed on the Call"),
                          "self_dispatch": self.env._("Self-dispatched"), "transfer": self.env._("To the Pool")}
        by_outcome = [{"key": k, "label": outcome_labels[k], "count": c} for k, c in Log._read_group(
            [("action", "in", list(outcome_labels)), ("date", ">=", start), ("date", "<", end)],
            ["action"], ["__count"])]
        open_states = [{"key": k, "label": states.get(k, k), "count": c} for k, c in Case._read_group(
            [("state", "not in", ("closed", "cancelled", "draft"))], ["state"], ["__count"])]
        overdue = Case._overdue_domain()
        units = [{"id": u.id, "name": u.name, "count": c}
                 for u, c in Case._read_group(overdue & Domain("unit_id", "!=", False), ["unit_id"], ["__count"],
                                              order="__count desc", limit=5)]
        return {
            "received": sum(r["count"] for r in by_channel),
            "by_channel": by_channel,
            "by_outcome": by_outcome,
            "open_by_state": open_states,
            "overdue": Case.search_count(overdue),
            "near_deadline": Case.search_count(Case._near_deadline_domain()),
            "sign_overdue": Case.search_count([("state", "=", "dispatched"),
                                               ("sign_deadline", "<", fields.Datetime.now())]),
            "top_overdue_units": units,
        }
