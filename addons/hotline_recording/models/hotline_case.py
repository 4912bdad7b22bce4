from markupsafe import Markup

from odoo import api, fields, models

CENTER_GROUP = "hotline_case.group_agent"


class HotlineCase(models.Model):
    _inherit = "hotline.case"

    # the recordings of the calls that made the case and of its callbacks (center staff only: units and
    # the portal never learn a recording exists)
    recording_ids = fields.Many2many("hotline.recording", compute="_compute_recording_ids", string="Recordings",
                                     groups=CENTER_GROUP)
    recording_player = fields.Html(compute="_compute_recording_ids", sanitize=False, string="Recordings Player",
                                   groups=CENTER_GROUP)

    @api.depends("call_ids.recording_ids.state")
    def _compute_recording_ids(self):
        Recording = self.env["hotline.recording"]
        for case in self:
            # the calls this user may see, and their recordings this user may hear
            recordings = Recording.search([("call_id", "in", case.call_ids.ids)]) if case.call_ids else Recording
            case.recording_ids = recordings
            blocks = []
            for call in recordings.call_id.sorted(lambda c: (c.enter_time or fields.Datetime.now(), c.id)):
                title = self.env._("%(direction)s call of %(date)s, %(agent)s",
                                   direction=dict(call._fields["direction"]._description_selection(self.env))[
                                       call.direction],
                                   date=fields.Datetime.context_timestamp(self, call.enter_time).strftime(
                                       "%Y-%m-%d %H:%M") if call.enter_time else "",
                                   agent=call.user_id.name or "")
                blocks.append(Markup("<h6>%s</h6>%s") % (title, (recordings & call.recording_ids)._player_html() or ""))
            case.recording_player = Markup("").join(blocks) or False
