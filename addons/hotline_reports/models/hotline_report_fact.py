from datetime import datetime, timedelta

import pytz

from odoo import api, models

from ..kpi import case_facts, facts


class HotlineReportFact(models.AbstractModel):
    """The pre-aggregated facts (kpi/facts.py: calls and agents, kpi/case_facts.py: unit figures):
    their tables, triggers and refresh (closing the days up to yesterday)."""

    _name = "hotline.report.fact"
    _description = "Pre-aggregated Report Facts"

    def init(self):
        self._install()

    @api.model
    def _install(self):
        """Idempotent: the report views call it before creating themselves on the fact tables."""
        facts.install(self.env.cr)
        case_facts.install(self.env.cr)

    @api.model
    def _first_local_day(self, query):
        """The center's local day of the (UTC) timestamp `query` selects (None when it selects NULL)."""
        self.env.cr.execute(query)
        first = self.env.cr.fetchone()[0]
        return self.env.company._hotline_local_day(first) if first else None

    @api.model
    def _first_day(self):
        """The first local day with a call, a session or a pause (None without data)."""
        return self._first_local_day("""SELECT LEAST((SELECT min(enter_time) FROM hotline_call),
                                                      (SELECT min(start) FROM hotline_agent_session),
                                                      (SELECT min(start) FROM hotline_agent_pause))""")

    @api.model
    def _refresh(self, now=None, commit=False, rebuild=False):
        """Close the days up to yesterday (center's time zone) and today's call hours up to the current
        one; returns the number of days computed.
        `rebuild`: compute every day again (after base data changed behind the triggers' back: TRUNCATE)."""
        self.env.flush_all()
        tz = self.env.company._hotline_tz()
        now = now or datetime.now(pytz.utc).replace(tzinfo=None)
        local = pytz.utc.localize(now).astimezone(tz)
        yesterday = local.date() - timedelta(days=1)
        hour = tz.normalize(local.replace(minute=0, second=0, microsecond=0)).astimezone(pytz.utc).replace(tzinfo=None)
        commit = self.env.cr.commit if commit else None
        days = facts.refresh(self.env.cr, yesterday, self._first_day(), commit=commit, rebuild=rebuild,
                             hours_until=hour)
        return days + case_facts.refresh(self.env.cr, yesterday, self._first_case_day(), tz.zone, commit=commit,
                                         rebuild=rebuild)

    @api.model
    def _first_case_day(self):
        """The first local day a unit figure can count on (indexed minima: every step writes a log line)."""
        return self._first_local_day("""SELECT LEAST((SELECT min(date) FROM hotline_case_log),
                                                      (SELECT min(deadline) FROM hotline_case),
                                                      (SELECT min(date_received) FROM hotline_case))""")

    @api.model
    def _cron_refresh(self):
        # each chunk of days is committed: writers wait for one chunk at most
        self._refresh(commit=True)
