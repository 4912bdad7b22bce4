import json
import re
from datetime import datetime, timedelta
from uuid import uuid4

import pytz

from odoo import api, fields, models

from ..tools.sms_api import RETRYABLE_STATES
from .hotline_sms_template import KIND_PARAMS, KIND_SELECTION

MOBILE = re.compile(r"1[3-9]\d{9}")
MAX_ATTEMPTS = 5
# first retry after a minute, then 2, 4, 8 minutes: a rate-limited gateway is given room, nothing is dropped
RETRY_BASE_SECONDS = 60


class HotlineSmsOptout(models.Model):
    """A number that replied TD (退订): never texted again, whatever the case."""

    _name = "hotline.sms.optout"
    _description = "SMS Opt-out"
    _rec_name = "number"

    number = fields.Char(required=True, index=True, readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, readonly=True)

    _number_uniq = models.Constraint("UNIQUE(number)", "This number has already opted out.")


class HotlineSmsMessage(models.Model):
    """One text to a citizen about a case: the project's own record of it, whatever the gateway.

    Its uuid is the uuid of the ``sms.sms`` that carries it and the OutId/SessionContext given to the gateway;
    one message per case, kind and round (a redone case is surveyed again), so a repeated step never
    texts twice.
    """

    _name = "hotline.sms.message"
    _description = "Citizen SMS"
    _order = "id desc"

    uuid = fields.Char(required=True, readonly=True, copy=False, index=True, default=lambda self: uuid4().hex)
    case_id = fields.Many2one("hotline.case", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    kind = fields.Selection(KIND_SELECTION, required=True, readonly=True)
    round = fields.Integer(readonly=True, help="The case's redo count when the text was made.")
    number = fields.Char(required=True, readonly=True, index=True)
    template_code = fields.Char(readonly=True)
    body = fields.Text(readonly=True)
    params = fields.Text(readonly=True)
    state = fields.Selection([
        ("queued", "Queued"), ("retry", "To Retry"), ("sent", "Sent"), ("delivered", "Delivered"),
        ("failed", "Failed"), ("cancelled", "Cancelled"),
    ], default="queued", required=True, readonly=True, index=True)
    date_due = fields.Datetime(readonly=True, help="Not sent before (quiet hours).")
    date_sent = fields.Datetime(readonly=True)
    date_delivered = fields.Datetime(readonly=True)
    provider_ref = fields.Char(readonly=True, index=True, help="The gateway's id (Aliyun BizId, Tencent SerialNo).")
    uncertain = fields.Boolean(readonly=True, help="The gateway did not answer: its delivery receipt settles it.")
    attempt = fields.Integer(readonly=True)
    next_try = fields.Datetime(readonly=True)
    failure_reason = fields.Char(readonly=True)
    answered = fields.Boolean(readonly=True, help="Survey: a valid reply was recorded.")
    extend_code = fields.Char(readonly=True, help="Survey: the extend code it was sent with; a reply carries it back.")
    expired = fields.Boolean(readonly=True,
                             help="Survey: no reply in time; the case's agent was given a call-back task.")

    _case_kind_round_uniq = models.Constraint(
        "UNIQUE(case_id, kind, round)", "This text has already been made for this case.",
    )
    _uuid_uniq = models.Constraint("UNIQUE(uuid)", "The message id must be unique.")
    _due_idx = models.Index("(date_due) WHERE state = 'queued'")
    _survey_idx = models.Index("(number, date_sent DESC) WHERE kind = 'survey'")

    # ------------------------------------------------------------------
    # Making texts
    # ------------------------------------------------------------------
    @api.model
    def _is_mobile(self, number):
        return bool(number and MOBILE.fullmatch(number))

    @api.model
    def _queue(self, case, kind, params):
        """Queue a text of `kind` about `case` if the site sends it and the caller may get it; the message or None.

        Only mobiles, never a confidential caller without consent, never a number that opted out.
        """
        case_sudo = case.sudo()
        company = self.env.company  # one center per company: cases carry none
        template = self.env["hotline.sms.template"].sudo().search(
            [("kind", "=", kind), ("company_id", "=", company.id)], limit=1)
        number = case_sudo.caller_phone
        if not template or not self._is_mobile(number):
            return None
        if case_sudo.confidential and not case_sudo.hotline_sms_consent:
            return None
        if self.env["hotline.sms.optout"].sudo().search_count([("number", "=", number)], limit=1):
            return None
        round_ = case_sudo.reopen_count if kind != "intake" else 0
        existing = self.sudo().search([("case_id", "=", case.id), ("kind", "=", kind), ("round", "=", round_)])
        if existing:
            return existing
        params = {name: params[name] for name in KIND_PARAMS[kind]}
        message = self.sudo().create({
            "case_id": case.id, "company_id": company.id, "kind": kind, "round": round_, "number": number,
            "template_code": template.template_code, "body": template._render(params),
            "params": json.dumps(params, ensure_ascii=False), "date_due": self._due_date(company),
        })
        if kind == "survey" and company.sudo().hotline_sms_extend_codes:
            # four digits, the length gateways grant by default: unique among one number's open surveys
            message.extend_code = f"{message.id % 10000:04d}"
        if message.date_due <= fields.Datetime.now():
            message._enqueue()
        return message

    @api.model
    def _due_date(self, company, now=None):
        """Now, or the end of the quiet hours (center's time zone) when now falls in them."""
        now = now or fields.Datetime.now()
        start, end = company.hotline_sms_quiet_start, company.hotline_sms_quiet_end
        if start == end:
            return now
        tz = company._hotline_tz()
        local = pytz.utc.localize(now).astimezone(tz)
        hour = local.hour + local.minute / 60 + local.second / 3600
        quiet = (start <= hour or hour < end) if start > end else (start <= hour < end)
        if not quiet:
            return now
        day = local.date() if hour < end else local.date() + timedelta(days=1)
        morning = tz.localize(datetime.combine(day, datetime.min.time()) + timedelta(hours=end))
        return morning.astimezone(pytz.utc).replace(tzinfo=None)

    def _enqueue(self):
        """Hand the messages to Odoo's SMS queue (its cron sends them within the minute)."""
        self.env["sms.sms"].sudo().create([{
            "uuid": message.uuid, "number": message.number, "body": message.body,
            "hotline_message_id": message.id, "hotline_template_code": message.template_code,
            "hotline_template_params": message.params,
        } for message in self])

    # ------------------------------------------------------------------
    # Results, receipts, retries
    # ------------------------------------------------------------------
    def _apply_send_result(self, result):
        self.ensure_one()
        state = result.get("state")
        now = fields.Datetime.now()
        if state in ("success", "processing"):
            vals = {"state": "sent", "date_sent": now, "failure_reason": False,
                    "uncertain": bool(result.get("hotline_uncertain"))}
            if result.get("hotline_provider_ref"):
                vals["provider_ref"] = result["hotline_provider_ref"]
            if self.state not in ("sent", "delivered"):
                self.write(vals)
            return
        attempt = self.attempt + 1
        vals = {"attempt": attempt, "failure_reason": result.get("failure_reason") or state}
        if state in RETRYABLE_STATES and attempt < MAX_ATTEMPTS:
            vals.update(state="retry", next_try=now + timedelta(seconds=RETRY_BASE_SECONDS * 2 ** (attempt - 1)))
        else:
            vals.update(state="failed", next_try=False)
        self.write(vals)

    @api.model
    def _cron_dispatch(self):
        """Send the texts held by the quiet hours once they end, and retry the failed ones with back-off."""
        now = fields.Datetime.now()
        due = self.search([("state", "=", "queued"), ("date_due", "<=", now)], limit=5000)
        due = due.filtered(lambda message: message._due_date(message.company_id, now) <= now)
        sms_model = self.env["sms.sms"].sudo()
        queued = sms_model.search([("hotline_message_id", "in", due.ids)]).hotline_message_id
        (due - queued)._enqueue()
        retry = self.search([("state", "=", "retry"), ("next_try", "<=", now)], limit=5000)
        retry = retry.filtered(lambda message: message._due_date(message.company_id, now) <= now)
        retry.state = "queued"
        sms_model.search([("hotline_message_id", "in", retry.ids), ("state", "=", "error")]).action_set_outgoing()
        missing = retry - sms_model.search([("hotline_message_id", "in", retry.ids)]).hotline_message_id
        missing._enqueue()

    @api.model
    def _receive_receipts(self, company, receipts):
        """Delivery receipts pushed by the gateway: [{ref, uuid, delivered, code}] → the messages and sms.sms."""
        refs = [receipt["ref"] for receipt in receipts if receipt.get("ref")]
        uuids = [receipt["uuid"] for receipt in receipts if receipt.get("uuid")]
        messages = self.sudo().search([("company_id", "=", company.id), "|",
                                       ("provider_ref", "in", refs), ("uuid", "in", uuids)])
        by_ref = {message.provider_ref: message for message in messages if message.provider_ref}
        by_uuid = {message.uuid: message for message in messages}
        now = fields.Datetime.now()
        count = 0
        for receipt in receipts:
            message = by_uuid.get(receipt.get("uuid")) or by_ref.get(receipt.get("ref"))
            if not message:
                continue
            count += 1
            sms = self.env["sms.sms"].sudo().search([("uuid", "=", message.uuid)])
            trackers = self.env["sms.tracker"].sudo().search([("sms_uuid", "=", message.uuid)])
            if receipt.get("delivered"):
                message.write({"state": "delivered", "date_delivered": now, "uncertain": False})
                sms.write({"state": "sent", "failure_type": False})
                trackers._action_update_from_sms_state("sent")
            else:
                message.write({"state": "failed", "uncertain": False,
                               "failure_reason": (receipt.get("code") or "")[:100]})
                sms.write({"state": "error", "failure_type": "sms_not_delivered"})
                trackers._action_update_from_sms_state("error", failure_type="sms_not_delivered")
        return count

    @api.model
    def _awaiting_reply_domain(self, now=None):
        """Surveys a citizen may still answer: on their way or sent within the company's reply days."""
        now = now or fields.Datetime.now()
        days = self.env.company.hotline_sms_reply_days
        return [("kind", "=", "survey"), ("answered", "=", False), ("expired", "=", False),
                ("state", "in", ("queued", "retry", "sent", "delivered")),
                "|", ("date_sent", "=", False), ("date_sent", ">", now - timedelta(days=days))]

    @api.model
    def _cron_survey_no_reply(self):
        """Surveys unanswered after the reply days: their cases are back on the agents' callback list (回访) by
        the clock (hotline.case's hotline_sms_awaiting_reply); this posts why and gives the agent who took the
        case a call-back task, once."""
        now = fields.Datetime.now()
        days = self.env.company.hotline_sms_reply_days
        expired = self.sudo().search([
            ("kind", "=", "survey"), ("answered", "=", False), ("expired", "=", False),
            ("state", "in", ("sent", "delivered")), ("date_sent", "<=", now - timedelta(days=days)),
        ], limit=5000)
        expired.expired = True
        note = self.env._("No reply to the SMS survey within %s days: call the citizen back.", days)
        for case in expired.case_id.filtered(lambda case: case.state == "callback"):
            case.message_post(body=note, message_type="comment", subtype_xmlid="mail.mt_note")
            case.activity_schedule("hotline_sms.mail_activity_type_sms_no_reply", note=note,
                                   user_id=(case.agent_id or self.env.ref("base.user_admin")).id)
        return len(expired)

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------
    @api.model
    def _figures(self, date_from, date_to):
        """The texts' figures for [date_from, date_to) (UTC datetimes), for the managers' reports.

        - per day (the center's) and kind: made, sent (accepted by the gateway), delivered, failed;
        - survey response rate: surveys sent that got a valid reply / surveys sent;
        - evaluations by SMS and by phone (cases closed in the period) and their shares;
        - callbacks avoided and the agents' minutes saved (hotline.sms.reply's callback_saved and
          callback_minutes_saved, as the dashboard reads them).
        """
        company = self.env.company
        domain = [("company_id", "=", company.id), ("create_date", ">=", date_from), ("create_date", "<", date_to)]
        per_day = {}
        tz = company._hotline_tz().zone
        for day, kind, state, count in self.with_context(tz=tz)._read_group(
                domain, ["create_date:day", "kind", "state"], ["__count"]):
            row = per_day.setdefault((day.date().isoformat(), kind),
                                     {"day": day.date().isoformat(), "kind": kind, "made": 0, "sent": 0,
                                      "delivered": 0, "failed": 0})
            row["made"] += count
            if state in ("sent", "delivered"):
                row["sent"] += count
            if state in ("delivered", "failed"):
                row[state] += count
        surveys = self.search_count(domain + [("kind", "=", "survey"), ("state", "in", ("sent", "delivered"))])
        answered = self.search_count(domain + [("kind", "=", "survey"), ("answered", "=", True)])
        channels = dict(self.env["hotline.case"].sudo()._read_group(
            [("date_closed", ">=", date_from), ("date_closed", "<", date_to),
             ("hotline_evaluation_channel", "!=", False)],
            ["hotline_evaluation_channel"], ["__count"]))
        by_sms, by_phone = channels.get("sms", 0), channels.get("phone", 0)
        # the dashboard's tile reads the same stored fields (hotline.sms.reply.CALLBACK_SAVED_HELP)
        [(avoided, minutes)] = self.env["hotline.sms.reply"].sudo()._read_group([
            ("company_id", "=", company.id), ("callback_saved", "=", True),
            ("date_received", ">=", date_from), ("date_received", "<", date_to)],
            [], ["__count", "callback_minutes_saved:sum"])
        evaluations = by_sms + by_phone
        return {
            "per_day": sorted(per_day.values(), key=lambda row: (row["day"], row["kind"])),
            "surveys_sent": surveys,
            "surveys_answered": answered,
            "survey_response_rate": answered / surveys if surveys else None,
            "evaluations_by_sms": by_sms,
            "evaluations_by_phone": by_phone,
            "sms_share": by_sms / evaluations if evaluations else None,
            "callbacks_avoided": avoided,
            "minutes_saved": minutes or 0.0,
        }
