"""The board's one door to the KPI definitions of hotline_reports.

Today's queue, agent and case figures on the board are the reports' figures: this adapter only
asks hotline.kpi.call / hotline.kpi.case (sudo: the board's viewers were checked by the caller)
and adds labels. "Today" is the center's day (res.company._hotline_day_bounds).
"""



from odoo import api, fields, models


class HotlineMonitorKpi(models.AbstractModel):
    _name = "hotline.monitor.kpi"
    _description = "Hotline Board KPI Adapter"

    @api.model
    def _calls(self):
        return self.env["hotline.kpi.call"].sudo()

    @api.model
    def _service_level_seconds(self):
        return self._calls()._service_level_seconds()

    @api.model
    def _queue_figures(self, queues):
        """{queue: today's figures} (hotline.kpi.call.queue_figures; a queue without calls has zeros)."""
        start, end = self.env.company._hotline_day_bounds()
        calls = self._calls()
        figures = calls.queue_figures(start, end, queues=list(queues)) if queues else {}
        return {q: figures.get(q) or calls._empty_call_figures() for q in queues}

    @api.model
    def _agent_figures(self, user):
        """Today's figures of one agent (hotline.kpi.call.agent_figures), plus the cases they recorded."""
        start, end = self.env.company._hotline_day_bounds()
        # an agent with nothing yet today reads 0 and 00:00, not blanks
        calls = self._calls()
        figures = calls.agent_figures(start, end, [user.id]).get(user.id) or calls._empty_agent_figures()
        env = self.env(su=True)
        sessions = env["hotline.agent.session"].search_fetch(
            [("user_id", "=", user.id), ("start", ">=", start), ("start", "<", end)], ["start"],
            order="start", limit=1)
        return {
            **figures,
            "first_login": fields.Datetime.to_string(sessions.start) if sessions else False,
            # cases this agent recorded today (intake), as the case list's "My Cases" counts them
            "cases": env["hotline.case"].search_count([("agent_id", "=", user.id), ("date_received", ">=", start),
                                                       ("date_received", "<", end), ("state", "!=", "cancelled")]),
        }

    @api.model
    def _case_situation(self):
        """实时情况检查 (hotline.kpi.case.situation) with the labels the board shows."""
        data = self.env["hotline.kpi.case"].sudo().situation()
        Case = self.env["hotline.case"]
        channels = dict(Case._fields["channel"]._description_selection(self.env))
        states = dict(Case._fields["state"]._description_selection(self.env))
        outcomes = {
            "closed_on_call": self.env._("Closed on the Call"),
            "self_dispatch": self.env._("Self-dispatched"),
            "transfer": self.env._("To the Pool"),
            "cancelled": self.env._("Cancelled"),
            "recording": self.env._("Being Recorded"),
        }

        def rows(counts, labels):
            return [{"key": k, "label": labels.get(k, k), "count": c} for k, c in counts.items() if c]
        return {
            "received": data["received"],
            "by_channel": rows(data["received_by_channel"], channels),
            "by_outcome": rows(data["intake_outcome"], outcomes),
            "open_by_state": rows(data["open_by_state"], states),
            "overdue": data["overdue"],
            "near_deadline": data["near_deadline"],
            "sign_overdue": data["sign_overdue"],
            "top_overdue_units": [{"id": u["unit_id"], "name": u["name"], "count": u["overdue"]}
                                  for u in data["top_overdue_units"]],
            "links": self._situation_links(),
        }

    @api.model
    def _situation_links(self):
        """Figures of the links the center depends on, for the situation panel: a list of
        {'key', 'label', 'since' (epoch ms of the oldest item not through yet, or
        False), 'level' ('green' / 'amber' / 'red')}. Glue addons add theirs
        (hotline_exchange_monitor: the unit server exchange's lag)."""
        return []
