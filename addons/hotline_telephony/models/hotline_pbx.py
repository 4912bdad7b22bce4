import logging
import random
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..ami.adapter import AmiClient, AmiError

_logger = logging.getLogger(__name__)


class HotlinePbx(models.Model):
    _name = "hotline.pbx"
    _description = "Hotline PBX"
    _inherit = ["hotline.secret.mixin"]

    name = fields.Char(required=True, default="Asterisk")
    active = fields.Boolean(default=True)
    host = fields.Char(string="AMI Host", required=True, default="127.0.0.1")
    port = fields.Integer(string="AMI Port", required=True, default=5038)
    username = fields.Char(string="AMI User", required=True, default="hotline")
    # Only administrators may read the secret, and only masked; the bridge and agent actions read it with sudo().
    secret = fields.Char(string="AMI Secret", groups="base.group_system", copy=False, hotline_secret=True)
    queue_names = fields.Char(string="Queues", required=True, default="hotline",
                              help="Comma-separated Asterisk queue names the agents log in to.")
    originate_context = fields.Char(string="Originate Context", required=True, default="hotline-originate",
                                    help="Dialplan context that dials the citizen once the agent answered.")
    originate_timeout = fields.Integer(string="Agent Ring Timeout (s)", default=30)
    queue_log_path = fields.Char(string="queue_log Path", default="/var/log/asterisk/queue_log",
                                 help="Asterisk queue_log as readable by the bridge, for backfill after an outage.")
    queue_log_inode = fields.Integer(readonly=True, copy=False)
    queue_log_offset = fields.Integer(readonly=True, copy=False)
    bridge_heartbeat = fields.Datetime(string="Bridge Last Seen", readonly=True, copy=False)
    bridge_status = fields.Char(string="Bridge Status", readonly=True, copy=False)
    # 一次一评: the keys the caller presses after the call (the dialplan reports the digit only)
    rating_key_satisfied = fields.Char(string="Key for Satisfied", size=1, default="1")
    rating_key_basic = fields.Char(string="Key for Basically Satisfied", size=1, default="2")
    rating_key_unsatisfied = fields.Char(string="Key for Unsatisfied", size=1, default="3")

    _port_range = models.Constraint("CHECK(port > 0 AND port < 65536)", "The AMI port must be between 1 and 65535.")

    @api.model
    def _get_active(self):
        """The PBX in use (the first active one)."""
        pbx = self.sudo().search([], limit=1)
        if not pbx:
            raise UserError(self.env._("No PBX is configured. Ask a manager to fill in the PBX settings."))
        return pbx

    def _bridge_report(self, status, facts):
        """Called by the AMI bridge on each status change and heartbeat.

        ``facts`` is ``Bridge.report()``: host, pid, connected_since, last_event,
        events_last_minute, caught_up, backfill_at, queue_log_lag, pop_p95_ms, log
        (epochs in seconds, None when unknown). Addons that watch the bridge
        (system health) extend this method.
        """
        self.ensure_one()
        vals = {"bridge_status": status}
        # The heartbeat is the last moment the PBX was seen: while connected, and when the link
        # dropped; it dates the end of the calls a crash left without one.
        if status == "connected" or self.bridge_status == "connected":
            vals["bridge_heartbeat"] = fields.Datetime.now()
        self.write(vals)

    def _hotline_facts_applied(self, facts):
        """Hook called by the AMI ingestion, in its transaction, once per batch with the facts it applied
        (agent, queue and call changes, see ami/facts.py). Nothing here; live boards extend it."""

    def _hotline_facts_settled(self, facts):
        """Hook called by the AMI bridge (``Bridge.settle``) in a transaction of its own, after the
        batches' commits and at most once a second, with the facts applied since its last call: for
        what costs too much to compute per batch and may lag a second. Nothing here; live boards
        extend it."""

    def _hotline_rating_for_key(self, key):
        """The rating a keypad digit stands for at this site (False for another key or none)."""
        self.ensure_one()
        keys = {self.rating_key_satisfied: "satisfied", self.rating_key_basic: "basic",
                self.rating_key_unsatisfied: "unsatisfied"}
        return keys.get(key, False) if key else False

    @api.constrains("rating_key_satisfied", "rating_key_basic", "rating_key_unsatisfied")
    def _check_rating_keys(self):
        for pbx in self:
            keys = [pbx.rating_key_satisfied, pbx.rating_key_basic, pbx.rating_key_unsatisfied]
            if any(not k or k not in "0123456789*#" for k in keys) or len(set(keys)) != 3:
                raise ValidationError(self.env._("The three rating keys must be different keypad keys (0-9, * or #)."))

    def _hotline_pbx_event(self, fact):
        """Hook called by the AMI ingestion, in its transaction, for each of the dialplan's UserEvents named
        Hotline* that telephony does not read itself (fact kind ``pbx_event``: event, time, headers).
        Nothing here; the addons whose dialplan emits them extend it."""

    def _queue_list(self):
        self.ensure_one()
        return [q.strip() for q in (self.queue_names or "").split(",") if q.strip()]

    def _ami_client(self, timeout=5.0):
        """A new, connected AMI client (one per request: pyst2 managers are not shareable)."""
        self.ensure_one()
        pbx = self.sudo()
        client = AmiClient(pbx.host, pbx.port, pbx.username, pbx.secret or "", timeout=timeout)
        try:
            client.connect()
        except AmiError as exc:
            raise UserError(self.env._("Cannot reach the PBX at %(host)s:%(port)s: %(error)s",
                                       host=pbx.host, port=pbx.port, error=exc)) from exc
        return client

    def action_test_connection(self):
        self.ensure_one()
        self.check_access("write")
        client = self._ami_client()
        try:
            missing = [q for q in self._queue_list() if not client.queue_status(q)["params"]]
            version = client.version or "?"
        except AmiError as exc:
            raise UserError(self.env._("The PBX answered but a query failed: %s", exc)) from exc
        finally:
            client.close()
        if missing:
            message = self.env._("Connected (AMI %(version)s), but these queues do not exist: %(queues)s",
                                 version=version, queues=", ".join(missing))
            kind = "warning"
        else:
            message = self.env._("Connected to the PBX (AMI %(version)s); queues found: %(queues)s",
                                 version=version, queues=", ".join(self._queue_list()))
            kind = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": self.env._("PBX connection"), "message": message, "type": kind, "sticky": False},
        }

    # -- demo -------------------------------------------------------------------------
    def _demo_load_traffic(self):
        """A morning of queue traffic (08:30-11:30 yesterday, Beijing time) as queue_log lines,
        ingested like a backfill: answered calls, abandons, ring-no-answer, pauses. The callers are
        the demo city's (known callers and first-time ones); answered calls become cases the way an
        agent takes them from the screen pop."""
        from ..ami.facts import parse_queue_log  # noqa: PLC0415
        from ..ami.ingest import Ingestor  # noqa: PLC0415

        self.ensure_one()
        rnd = random.Random(12319)
        tz = self.env.company._hotline_tz()
        day = self.env.company._hotline_local_day() - timedelta(days=1)
        t0 = int(tz.localize(datetime.combine(day, time(8, 30))).timestamp())  # 08:30 at the center
        agents = ["PJSIP/agent1", "PJSIP/agent2", "PJSIP/agent3"]
        callers = self.env["res.partner"].search([("hotline_phone_norm", "!=", False), ("is_company", "=", False)],
                                                 order="id", limit=20)
        # landlines reach the PBX without the dash (09318827316); mobiles as they are
        numbers = [p.hotline_phone_norm.replace("-", "") for p in callers]
        numbers += ["1%s%09d" % (rnd.choice("3589"), rnd.randrange(10**9)) for _i in range(20)]
        lines = [f"{t0}|MANAGER|hotline|{a}|ADDMEMBER|" for a in agents]
        busy_until = dict.fromkeys(agents, t0)
        t = t0 + 60
        for n in range(60):
            t += rnd.randint(60, 240)
            callid = f"{t}.{n}"
            lines.append(f"{t}|{callid}|hotline|NONE|ENTERQUEUE||{rnd.choice(numbers)}|1")
            free = [a for a in agents if busy_until[a] <= t]
            if not free or rnd.random() < 0.08:
                wait = rnd.randint(15, 90)
                lines.append(f"{t + wait}|{callid}|hotline|NONE|ABANDON|1|1|{wait}")
                continue
            wait = rnd.randint(0, 12)
            if rnd.random() < 0.12:
                lines.append(f"{t + 6}|{callid}|hotline|{rnd.choice(agents)}|RINGNOANSWER|6000")
                wait += 7
            agent = rnd.choice(free)
            talk = rnd.randint(60, 420)
            lines.append(f"{t + wait}|{callid}|hotline|{agent}|CONNECT|{wait}|{callid}1|{min(wait, 5)}")
            lines.append(f"{t + wait + talk}|{callid}|hotline|{agent}|COMPLETECALLER|{wait}|{talk}|1")
            busy_until[agent] = t + wait + talk
        lines += [f"{t0 + 5400}|NONE|hotline|PJSIP/agent2|PAUSE|小休",
                  f"{t0 + 6300}|NONE|hotline|PJSIP/agent2|UNPAUSE|",
                  f"{t0 + 7200}|NONE|hotline|PJSIP/agent1|PAUSE|培训",
                  f"{t0 + 9000}|NONE|hotline|PJSIP/agent1|UNPAUSE|"]
        lines += [f"{t0 + 3 * 3600 + 600}|MANAGER|hotline|{a}|REMOVEMEMBER|" for a in agents]
        lines.sort(key=lambda line: int(line.split("|", 1)[0]))
        Ingestor(self.env, self).apply(parse_queue_log("\n".join(lines) + "\n"))
        _logger.info("hotline demo: %d queue_log lines ingested", len(lines))
        self._demo_cases_from_calls(rnd)

    def _demo_cases_from_calls(self, rnd, calls=None, burst=()):
        """Each answered demo call (default: every one of the PBX) is recorded as a case by its agent, from
        the screen pop; the calls of a burst wave ({uniqueid: wave}) report one water outage in the wave's street."""
        if calls is None:
            calls = self.env["hotline.call"].search([("pbx_id", "=", self.id), ("outcome", "=", "answered"),
                                                     ("user_id", "!=", False)], order="enter_time")
        Street = self.env["hotline.street"]
        streets = Street.search([], limit=20)
        ref = self.env.ref
        TITLES = ("先生", "女士")  # noqa: N806 - a caller who gave only a surname
        topics = [  # category, type, description, answer on the call (None: sent to dispatch)
            ("water_outage", "consult", "来电咨询所在小区今天停水原因和恢复时间。",
             "已告知该片区因管网改造计划停水，预计当日18时恢复。"),
            ("heating_not_warm", "complaint", "家中暖气不热，室温只有15度，请热力公司上门检查。", None),
            ("road_streetlight", "help", "小区门口路段路灯连续几晚不亮，夜间出行不安全。", None),
            ("gas_account", "consult", "来电咨询燃气过户需要带哪些材料。",
             "已告知携带房产证、身份证到燃气营业厅办理。"),
            ("drainage_blocked", "help", "楼下污水井堵塞，污水漫到路面，气味很大。", None),
            ("sanitation_garbage", "complaint", "小区垃圾桶满溢两天无人清运。", None),
        ]
        outage = ("water_outage", "complaint", "小区突然停水，整栋楼都没有水，请尽快派人抢修。", None)
        for index, call in enumerate(calls):
            category, case_type, description, answer = topics[index % len(topics)]
            street = streets[index % len(streets)] if streets else Street
            if call.uniqueid in burst:
                category, case_type, description, answer = outage
                street = streets[burst[call.uniqueid] % len(streets)]
            agent = call.user_id
            new_case = call.with_user(agent).action_new_case()["context"]
            vals = {  # what the pre-filled form sends back, completed by the agent
                "caller_phone": new_case["default_caller_phone"],
                "partner_id": new_case["default_partner_id"],
                "date_received": call.answer_time + timedelta(minutes=1),
                "caller_name": call.partner_id.name or rnd.choice("王李张刘陈杨赵黄周吴") + rnd.choice(TITLES),
                "type_id": ref("hotline_case.case_type_" + case_type).id,
                "category_id": ref("hotline_case.category_" + category).id,
                "street_id": street.id,
                "district_id": street.district_id.id,
                "address": call.partner_id.street or "%s%d号" % (street.name or "", 1 + index),
                "description": description,
                "resolution_note": answer or False,
            }
            case = self.env["hotline.case"].with_user(agent).with_context(**new_case).create(vals)
            if answer:
                case.action_close_on_call()
                case.sudo().date_closed = vals["date_received"] + timedelta(minutes=3)
            else:
                case.action_transfer()
