import secrets

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

UPDATE = "hotline_monitor/update"  # bus notification type of a board's live changes


def _check_amber_red(env, amber, red):
    """A tile turns amber, then red: red comes later (0 leaves a colour out)."""
    if amber and red and red <= amber:
        raise ValidationError(env._("Red comes after amber: its time must be longer (%(amber)s s, %(red)s s).",
                                    amber=amber, red=red))


class HotlineWallboard(models.Model):
    """A wall screen: which queues and agents it shows, its alarm thresholds and its secret URL.

    The token is both the logged-out URL's secret and the board's bus channel (like
    point_of_sale's pos.bus.mixin): whoever knows it sees the board, nobody else.
    """

    _name = "hotline.wallboard"
    _description = "Hotline Wallboard"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    queue_names = fields.Char(string="Queues", help="Comma-separated Asterisk queues; empty: the PBX's queues.")
    user_ids = fields.Many2many("res.users", string="Agents",
                                domain="[('hotline_interface', '!=', False)]",
                                help="Agents shown; empty: every agent with a phone interface.")
    access_token = fields.Char(copy=False, groups="hotline_case.group_manager", index="btree_not_null")
    url = fields.Char(string="Wall Screen URL", compute="_compute_url", groups="hotline_case.group_manager")
    lang = fields.Selection("_lang_get", string="Language", required=True, default=lambda self: self._default_lang(),
                            help="Of the wall screen (logged out); supervisors see their own.")
    # queue alarms (flash on the board)
    alarm_waiting = fields.Integer(string="Alarm: Calls Waiting", default=5)
    alarm_wait_seconds = fields.Integer(string="Alarm: Longest Wait (s)", default=60)
    alarm_service_level = fields.Float(string="Alarm: Service Level Below (%)", default=80.0)
    alarm_no_idle = fields.Boolean(string="Alarm: No Idle Agent", default=True)
    alarm_sound = fields.Boolean(string="Sound on Alarm")
    # tile colours
    call_amber_seconds = fields.Integer(string="Long Call Amber (s)", default=300)
    call_red_seconds = fields.Integer(string="Long Call Red (s)", default=600)
    pause_amber_seconds = fields.Integer(string="Pause Amber (s)", default=600,
                                         help="For pause reasons without their own threshold.")
    pause_red_seconds = fields.Integer(string="Pause Red (s)", default=1200)
    wrapup_seconds = fields.Integer(string="Wrap-up (s)", default=0,
                                    help="The queue's wrapuptime: after a call the agent is shown in wrap-up "
                                         "for this long. 0: no wrap-up.")
    threshold_ids = fields.One2many("hotline.wallboard.threshold", "wallboard_id", string="Pause Thresholds")
    surge_factor = fields.Float(string="Surge Factor", default=1.5,
                                help="Calls of the last 15 minutes above this many times the same weekday and "
                                     "hour's average of the last 4 weeks raise the surge alarm.")
    surge_min_calls = fields.Integer(string="Surge Minimum Calls", default=10,
                                     help="No surge alarm below this many calls in 15 minutes.")

    _token_unique = models.UniqueIndex("(access_token) WHERE access_token IS NOT NULL")

    @api.model
    def _default_lang(self):
        """Chinese when installed: the floor's screens are read by the whole room."""
        installed = dict(self._lang_get())
        return "zh_CN" if "zh_CN" in installed else (self.env.lang or "en_US")

    @api.model
    def _lang_get(self):
        return self.env["res.lang"].get_installed()

    @api.depends("access_token")
    def _compute_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        for board in self:
            board.url = f"{base}/hotline_monitor/board/{board.access_token}" if board.access_token else False

    @api.constrains("alarm_waiting", "alarm_wait_seconds", "alarm_service_level", "call_amber_seconds",
                    "call_red_seconds", "pause_amber_seconds", "pause_red_seconds", "wrapup_seconds", "surge_factor",
                    "surge_min_calls")
    def _check_thresholds(self):
        for board in self:
            if min(board.alarm_waiting, board.alarm_wait_seconds, board.call_amber_seconds, board.call_red_seconds,
                   board.pause_amber_seconds, board.pause_red_seconds, board.wrapup_seconds,
                   board.surge_min_calls) < 0:
                raise ValidationError(self.env._("The board's counts and times cannot be negative."))
            if not 0 <= board.alarm_service_level <= 100:
                raise ValidationError(self.env._("The service level alarm is a percentage, from 0 to 100."))
            if board.wrapup_seconds > 3600:
                raise ValidationError(self.env._("A wrap-up lasts at most an hour (3600 s)."))
            if not 1 <= board.surge_factor <= 100:
                raise ValidationError(self.env._("The surge factor compares with the usual traffic: from 1 to 100."))
            _check_amber_red(self.env, board.call_amber_seconds, board.call_red_seconds)
            _check_amber_red(self.env, board.pause_amber_seconds, board.pause_red_seconds)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # the form sends its (empty) token too: a new board has its wall screen URL at once
            if not vals.get("access_token"):
                vals["access_token"] = self._new_token()
        return super().create(vals_list)

    @staticmethod
    def _new_token():
        return secrets.token_urlsafe(32)

    def action_rotate_token(self):
        """A new secret URL: screens on the old one stop receiving anything at once."""
        self._check_manager()
        self._tell_screens_revoked()
        for board in self:
            board.sudo().access_token = self._new_token()
        return True

    def action_revoke_token(self):
        """No logged-out access at all until a new token is made."""
        self._check_manager()
        self._tell_screens_revoked()
        self.sudo().access_token = False
        return True

    def _tell_screens_revoked(self):
        """Screens still on the old URL blank themselves instead of showing a frozen floor."""
        for token in self.sudo().mapped("access_token"):
            if token:
                self.env["bus.bus"].sudo()._sendone(token, UPDATE, {"revoked": True})

    def _check_manager(self):
        if not self.env.user.has_group("hotline_case.group_manager"):
            raise UserError(self.env._("Only hotline managers may change a wallboard's URL."))

    def action_open_board(self):
        """The supervisor's full-screen board (logged in, callers visible in the abandoned list)."""
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": f"/hotline_monitor/supervisor/{self.id}", "target": "new"}

    @api.model
    def _by_token(self, token):
        """The active board of a token, or an empty recordset (constant-time enough: an indexed lookup
        of a 43-character random value; a guess finds nothing)."""
        if not token or not isinstance(token, str) or len(token) < 32:
            return self.browse()
        return self.sudo().search([("access_token", "=", token)], limit=1)

    def _queues(self):
        self.ensure_one()
        names = [q.strip() for q in (self.queue_names or "").split(",") if q.strip()]
        if not names:
            pbx = self.env["hotline.pbx"].sudo().search([], limit=1)
            names = pbx._queue_list() if pbx else []
        return names

    def _agents(self):
        self.ensure_one()
        if self.user_ids:
            return self.user_ids.sudo().filtered("hotline_interface")
        agent_group = self.env.ref("hotline_case.group_agent")
        return self.env["res.users"].sudo().search([("hotline_interface", "!=", False),
                                                    ("all_group_ids", "in", agent_group.ids)])

    # the settings a snapshot depends on (not the name: boards alike share one snapshot)
    _SNAPSHOT_FIELDS = ("queue_names", "lang", "alarm_waiting", "alarm_wait_seconds", "alarm_service_level",
                        "alarm_no_idle", "alarm_sound", "call_amber_seconds", "call_red_seconds",
                        "pause_amber_seconds", "pause_red_seconds", "wrapup_seconds", "surge_factor",
                        "surge_min_calls")

    def _config_key(self):
        """Hashable settings of the board, read without deriving anything (the snapshot cache's key)."""
        self.ensure_one()
        board = self.sudo()
        return (tuple(board[f] for f in self._SNAPSHOT_FIELDS), tuple(board.user_ids.ids),
                tuple((t.reason, t.amber_seconds, t.red_seconds) for t in board.threshold_ids))

    def _config(self):
        """The board's settings as the client needs them; also the key of the shared snapshot cache."""
        self.ensure_one()
        board = self.sudo()
        return {
            "id": board.id,
            "name": board.name,
            # a language uninstalled since the board was made falls back to the reader's
            "lang": board.lang if board.lang in dict(self._lang_get()) else (self.env.lang or "en_US"),
            "queues": board._queues(),
            "user_ids": board._agents().ids,
            # the reports' settings: the board's figures are the reports' figures
            "service_level_seconds": self.env["hotline.monitor.kpi"]._service_level_seconds(),
            "tz": self.env.company._hotline_tz().zone,  # the center's clock, whatever the screen's
            "alarm": {"waiting": board.alarm_waiting, "wait_seconds": board.alarm_wait_seconds,
                      "service_level": board.alarm_service_level, "no_idle": board.alarm_no_idle,
                      "sound": board.alarm_sound},
            "thresholds": {
                "call": [board.call_amber_seconds, board.call_red_seconds],
                "pause": [board.pause_amber_seconds, board.pause_red_seconds],
                "reasons": {t.reason: [t.amber_seconds, t.red_seconds] for t in board.threshold_ids},
                "wrapup": board.wrapup_seconds,
            },
            "surge": {"factor": board.surge_factor, "min_calls": board.surge_min_calls},
        }
