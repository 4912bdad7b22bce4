from datetime import timedelta

import pytz

from odoo import api, fields, models

from .hotline_monitor_live import SUPERVISOR_GROUP

BURST = "hotline_monitor/burst"  # bus notification of a new burst alert (supervisors' web client)
QUEUE_BATCH = 500  # queued cases checked per transaction of the burst job


class HotlineBurstQueue(models.Model):
    """Cases whose burst group is to be checked, queued by the intake (or the correction) in its own
    transaction. An insert is all the intake writes: concurrent intakes of one burst never update a
    shared row, so none waits on another or fails to serialize. The burst job, woken at their commit,
    checks the queued cases one worker at a time."""

    _name = "hotline.burst.queue"
    _description = "Burst Check Queue"
    _log_access = False

    case_id = fields.Many2one("hotline.case", required=True, ondelete="cascade")

    @api.model
    def _enqueue(self, cases):
        if cases:
            self.sudo().create([{"case_id": case_id} for case_id in cases.ids])
            self.env.ref("hotline_monitor.ir_cron_burst_alerts").sudo()._trigger()


class HotlineBurstAlert(models.Model):
    """One burst (突发事件): cases of one category on one street or district that came close together.

    A burst lasts while its cases keep coming less than a window apart; its later cases join it
    instead of raising new alerts."""

    _name = "hotline.burst.alert"
    _description = "Burst Alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "last_time desc, id desc"

    # said for the reader, with the burst's live count: a name frozen when raised would go stale and keep
    # the language of whoever raised it
    name = fields.Char(compute="_compute_name")
    rule_id = fields.Many2one("hotline.burst.rule", readonly=True, ondelete="set null")
    category_id = fields.Many2one("hotline.category", string="Category", required=True, readonly=True, index=True)
    grouping = fields.Selection([("street", "Same Street"), ("district", "Same District")], readonly=True)
    street_id = fields.Many2one("hotline.street", string="Street", readonly=True, index=True)
    district_id = fields.Many2one("hotline.district", string="District", readonly=True, index=True)
    case_ids = fields.Many2many("hotline.case", string="Cases", readonly=True)
    case_count = fields.Integer(compute="_compute_case_count", store=True)
    first_time = fields.Datetime(string="First Case", readonly=True)
    last_time = fields.Datetime(string="Last Case", readonly=True, index=True)
    window_minutes = fields.Integer(readonly=True)
    state = fields.Selection([("open", "Open"), ("done", "Handled")], default="open", required=True,
                             tracking=True)

    _rec_names_search = ["category_id", "street_id", "district_id"]

    @api.depends("case_ids")
    def _compute_case_count(self):
        for alert in self:
            alert.case_count = len(alert.case_ids)

    @api.depends_context("lang")
    @api.depends("case_count", "category_id", "street_id", "district_id")
    def _compute_name(self):
        for alert in self:
            alert.name = self.env._("%(count)s × %(category)s at %(place)s", count=alert.case_count,
                                    category=alert.category_id.display_name or "",
                                    place=(alert.street_id or alert.district_id).display_name or "")

    def action_done(self):
        self.write({"state": "done"})
        self.env["hotline.monitor.live"]._push_cases_later()
        return True

    def action_view_cases(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "hotline.case", "name": self.name,
                "view_mode": "list,form", "domain": [("id", "in", self.case_ids.ids)]}

    def _place_field(self):
        self.ensure_one()
        return "street_id" if self.grouping == "street" else "district_id"

    def _board_dict(self):
        self.ensure_one()
        return {"id": self.id, "name": self.name, "category": self.category_id.display_name,
                "place": (self.street_id or self.district_id).display_name or "",
                "count": self.case_count, "state": self.state,
                "first_time": fields.Datetime.to_string(self.first_time),
                "last_time": fields.Datetime.to_string(self.last_time),
                # epoch ms: the screen counts the time since the first case on its own clock
                "first_ms": int(pytz.utc.localize(self.first_time).timestamp() * 1000) if self.first_time else 0,
                "last_ms": int(pytz.utc.localize(self.last_time).timestamp() * 1000) if self.last_time else 0}

    @api.model
    def _cron_check_queued(self):
        """The burst job: the queued cases in batches, each committed (a new snapshot sees the cases
        committed meanwhile). The scheduler runs one instance of a job at a time, on whichever node: two
        first cases of a burst arriving together are checked one after the other and raise one alert."""
        while done := self._check_queued():
            self.env["ir.cron"]._commit_progress(done)

    @api.model
    def _check_queued(self, limit=QUEUE_BATCH):
        """Check one batch of the queue, oldest first; the number of entries done."""
        queued = self.env["hotline.burst.queue"].sudo().search([], order="id", limit=limit)
        self._check_cases(queued.case_id.sorted(lambda c: (c.date_received, c.id)))
        queued.unlink()
        return len(queued)

    @api.model
    def _check_cases(self, cases):
        """Look for bursts around cases that were received, or whose category or place was corrected
        (one query per case's group).

        A case counts in any window of W minutes that holds it: cases received after it count too
        (a case entered late, or corrected hours after the call). A case already in an alert of its
        group changes nothing; it leaves the alerts of a group it no longer belongs to."""
        Case = self.env["hotline.case"].sudo()
        changed = False
        for case in cases.sudo().exists():
            rule = self.env["hotline.burst.rule"]._for_category(case.category_id) if case.category_id else None
            place_field = "street_id" if rule and rule.grouping == "street" else "district_id"
            place = case[place_field] if rule else None
            own = self.sudo().search([("case_ids", "in", case.id)])
            stale = own.filtered(lambda a, c=case: a.category_id != c.category_id
                                 or a[a._place_field()] != c[a._place_field()])
            if stale:
                stale.write({"case_ids": [(3, case.id)]})
                changed = True
            if not rule or not place or case.state == "cancelled" or (own - stale):
                continue
            window = timedelta(minutes=rule.window_minutes)
            t = case.date_received
            # an ongoing burst of the group: its cases within one window of this one
            alert = self.sudo().search([("category_id", "=", case.category_id.id), (place_field, "=", place.id),
                                        ("last_time", ">=", t - window), ("first_time", "<=", t + window)],
                                       order="last_time desc", limit=1)
            if alert:
                alert.write({"case_ids": [(4, case.id)], "last_time": max(alert.last_time, t),
                             "first_time": min(alert.first_time, t)})
                changed = True
                continue
            around = Case.search_fetch(
                [("category_id", "=", case.category_id.id), (place_field, "=", place.id),
                 ("state", "!=", "cancelled"), ("date_received", ">", t - window),
                 ("date_received", "<", t + window)], ["date_received"], order="date_received, id")
            burst = self._first_window(around, t, window, rule.case_count)
            if burst:
                # and the group's cases received within its span that were checked before it was one (the
                # same second as its last ones, say): they would not be checked again
                first, last = burst[0].date_received, burst[-1].date_received
                burst = around.filtered(lambda c, f=first, la=last: f <= c.date_received <= la)
                self._raise(rule, case, place_field, place, burst)
        if changed:  # the boards show the alerts' counts
            self.env["hotline.monitor.live"]._push_cases_later()

    @api.model
    def _first_window(self, cases, t, window, count):
        """The first window (t_end - W, t_end] holding the case at `t` and at least `count` cases;
        `cases` sorted by reception, all within one window of t."""
        times = cases.mapped("date_received")
        first = 0
        for last, end in enumerate(times):
            while times[first] <= end - window:
                first += 1
            if end >= t and last - first + 1 >= count:
                return cases[first:last + 1]
        return cases.browse()

    def _raise(self, rule, case, place_field, place, cases):
        alert = self.sudo().create({
            "rule_id": rule.id, "category_id": case.category_id.id, "grouping": rule.grouping,
            place_field: place.id,
            "district_id": place.district_id.id if place_field == "street_id" else place.id,
            "case_ids": [(6, 0, cases.ids)],
            "first_time": min(cases.mapped("date_received")),
            "last_time": max(cases.mapped("date_received")),
            "window_minutes": rule.window_minutes,
        })
        alert._notify_supervisors()
        return alert

    def _notify_supervisors(self):
        """Reviewers and managers: a bus notification now and an activity to follow up, each in the
        recipient's language, due today on the center's calendar (a UTC date is yesterday's before 08:00)."""
        self.ensure_one()
        group = self.env.ref(SUPERVISOR_GROUP)
        users = group.sudo().all_user_ids.filtered(lambda u: u.active and not u.share)
        today = self.env.company._hotline_local_day()
        for user in users:
            alert = self.sudo().with_context(lang=user.lang or self.env.lang)
            note = alert.env._("Several cases of the same kind came in close together: check whether it is an "
                               "emergency (突发事件).")
            alert.activity_schedule("mail.mail_activity_data_todo", date_deadline=today, summary=alert.name,
                                    note=note, user_id=user.id)
        self.env["bus.bus"].sudo()._sendone(group, BURST, self._board_dict())
        self.env["hotline.monitor.live"]._push_cases_later()
