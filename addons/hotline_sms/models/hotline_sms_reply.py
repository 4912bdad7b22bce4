import re
import unicodedata
from datetime import timedelta

from odoo import fields, models
from odoo.addons.hotline_case.models.hotline_satisfaction_level import SATISFACTION_SELECTION

# "回复1非常满意 2满意 3基本满意 4不满意 5非常不满意": the digit is the level's position
LEVELS = [key for key, _label in SATISFACTION_SELECTION]
# the words, longest first so that 非常不满意 is not read as 不满意 or 满意
WORDS = [("非常不满意", 5), ("基本满意", 3), ("非常满意", 1), ("不满意", 4), ("满意", 2)]
SATISFIED = {"very_satisfied", "satisfied", "basically_satisfied"}
OPTOUT = re.compile(r"(?i)(?:td|退订|td退订|退订td|t)")
# a case number as the sequence writes it: 12319-20261206-0081
CASE_NUMBER = re.compile(r"\d{3,6}-\d{8}-\d{3,6}")
# 节省回访时长: the one definition, read by the managers' dashboard and hotline.sms.message._figures
CALLBACK_SAVED_HELP = (
    "Callback minutes saved = Σ over the replies that saved a callback of the center's average callback minutes "
    "(as set when the reply came). A reply saves a callback when it records a satisfied rating (非常满意, 满意, "
    "基本满意) that closes the case's callback, within the survey reply days, before any agent phoned the case. "
    "Unanswered surveys, invalid, late, unmatched and dissatisfied replies (an agent calls back) save nothing.")


class HotlineSmsReply(models.Model):
    """A text the citizen sent back (a survey answer, TD...), kept with what it did."""

    _name = "hotline.sms.reply"
    _description = "Citizen SMS Reply"
    _order = "id desc"

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    number = fields.Char(required=True, readonly=True, index=True)
    content = fields.Char(readonly=True)
    extend_code = fields.Char(readonly=True, help="The extend code of the number the citizen replied to.")
    date_received = fields.Datetime(default=fields.Datetime.now, readonly=True)
    message_id = fields.Many2one("hotline.sms.message", string="Survey", readonly=True, index="btree_not_null")
    case_id = fields.Many2one("hotline.case", readonly=True, index="btree_not_null")
    satisfaction = fields.Selection(SATISFACTION_SELECTION, readonly=True)
    outcome = fields.Selection([
        ("evaluated", "Evaluation Recorded"), ("callback", "Dissatisfied: Agent Calls Back"),
        ("optout", "Opted Out"), ("late", "Case Already Evaluated"), ("unmatched", "No Survey to This Number"),
        ("invalid", "Not a Rating"),
    ], readonly=True)
    callback_saved = fields.Boolean(
        string="Callback Saved", readonly=True, help=CALLBACK_SAVED_HELP)
    callback_minutes_saved = fields.Float(
        string="Callback Minutes Saved", readonly=True, aggregator="sum", help=CALLBACK_SAVED_HELP)

    def _receive(self, company, replies):
        """Replies pushed by the gateway: [{number, content}] → one reply record each, processed at once."""
        records = self.sudo().create([{
            "company_id": company.id, "number": self._normalize_number(reply.get("number")),
            "content": (reply.get("content") or "")[:500],
            "extend_code": str(reply.get("extend") or "")[:20] or False,
        } for reply in replies])
        for record in records:
            record._process()
        return records

    def _cron_pull_tencent(self):
        """Replies pulled from Tencent for the companies that take them so, each company's committed before the
        next pull: a reply pulled is not handed out again."""
        companies = self.env["res.company"].sudo().search([
            ("hotline_sms_provider", "=", "tencent"), ("hotline_sms_pull_replies", "=", True)])
        count = 0
        for company in companies:
            count += len(self._pull_tencent(company))
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return count

    def _pull_tencent(self, company):
        from ..tools.sms_api import SmsApiTencent  # noqa: PLC0415

        replies = SmsApiTencent(self.env).pull_replies(company)
        return self._receive(company, replies) if replies else self.browse()

    def _normalize_number(self, number):
        digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", str(number or "")))
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        return digits[:20] or "-"

    def _process(self):
        self.ensure_one()
        text = unicodedata.normalize("NFKC", self.content or "").strip()
        compact = re.sub(r"[\s，。,.!！~]+", "", text)
        if OPTOUT.fullmatch(compact):
            self._optout()
            return
        message = self._match(text)
        if not message:
            self.outcome = "unmatched"
            return
        self.write({"message_id": message.id, "case_id": message.case_id.id})
        level = self._rating(CASE_NUMBER.sub(" ", text))
        if not level:
            self.outcome = "invalid"
            return
        self.satisfaction = level
        case = message.case_id.sudo()
        if message.answered or case.state != "callback":
            self.outcome = "late"
            return
        message.answered = True
        # read before the callback closes: an agent who already phoned spent the time a reply would have saved
        saved = self._saves_callback(message, case)
        note = self.env._("Evaluated by SMS reply: %s", self.content)
        case.write({"hotline_evaluation_channel": "sms"})
        if level in SATISFIED:
            case.action_callback_done(satisfaction=level, note=note)
            minutes = self.company_id.hotline_sms_callback_minutes if saved else 0.0
            self.write({"outcome": "evaluated", "callback_saved": saved, "callback_minutes_saved": minutes})
        else:
            # the case stays to call back, now with the rating and a task for the agent who took it
            case.write({"satisfaction": level, "callback_note": note})
            case.activity_schedule(
                "hotline_sms.mail_activity_type_sms_dissatisfied",
                user_id=(case.agent_id or self.env.ref("base.user_admin")).id,
                note=note,
            )
            self.outcome = "callback"

    def _saves_callback(self, message, case):
        """Whether this valid reply to `message` spares the agents the callback (CALLBACK_SAVED_HELP): it came
        within the reply days, while the case was off the agents' list, and no agent has phoned the case."""
        days = self.company_id.hotline_sms_reply_days or 0
        in_time = bool(message.date_sent) and not message.expired and \
            self.date_received <= message.date_sent + timedelta(days=days)
        return in_time and not case.callback_attempts

    def _match(self, text):
        """The survey this reply answers: the one whose case number it quotes, else the latest to the number
        still open (else the latest, for a late reply)."""
        surveys = self.env["hotline.sms.message"].sudo().search([
            ("company_id", "=", self.company_id.id), ("number", "=", self.number), ("kind", "=", "survey"),
            ("state", "in", ("sent", "delivered")),
        ], order="date_sent desc, id desc", limit=50)
        quoted = set(CASE_NUMBER.findall(text))
        if quoted:
            return surveys.filtered(lambda message: message.case_id.name in quoted)[:1]
        extended = self.extend_code and surveys.filtered(lambda message: message.extend_code == self.extend_code)
        if extended:
            return extended[:1]
        open_surveys = surveys.filtered(lambda message: not message.answered)
        return open_surveys[:1] or surveys[:1]

    def _rating(self, text):
        digits = set(re.findall(r"\d", text))
        if len(digits) == 1:
            digit = int(digits.pop())
            return LEVELS[digit - 1] if 1 <= digit <= 5 else None
        if digits:
            return None  # two different digits: which one did the citizen mean? An agent asks.
        for word, level in WORDS:
            if word in text:
                return LEVELS[level - 1]
        return None

    def _optout(self):
        optouts = self.env["hotline.sms.optout"].sudo()
        if not optouts.search_count([("number", "=", self.number)]):
            optouts.create({"number": self.number})
        # honoured at once: what is still waiting for this number is not sent
        waiting = self.env["hotline.sms.message"].sudo().search(
            [("number", "=", self.number), ("state", "in", ("queued", "retry"))])
        self.env["sms.sms"].sudo().search(
            [("hotline_message_id", "in", waiting.ids), ("state", "in", ("outgoing", "error"))]).unlink()
        waiting.write({"state": "cancelled"})
        self.outcome = "optout"
