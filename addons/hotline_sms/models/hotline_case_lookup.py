import hashlib
import hmac
import re
import unicodedata
from datetime import timedelta

import pytz

from odoo import api, fields, models

# A visitor may look up 10 times in 10 minutes; a case number takes 5 wrong codes an hour, whoever tries
# (the last four digits of a phone are only 10,000 guesses). Both limits are the same for a number that
# does not exist, so that the answer never tells which numbers exist.
IP_LIMIT, IP_WINDOW = 10, timedelta(minutes=10)
NUMBER_LIMIT, NUMBER_WINDOW = 5, timedelta(hours=1)
MAX_NUMBER_LENGTH = 40
MAX_SECRET_LENGTH = 12
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# the steps a citizen sees, by log action (no staff, no notes, no returns between units)
PUBLIC_STEPS = {
    "close_on_call": "closed_on_call", "self_dispatch": "dispatched", "dispatch": "dispatched",
    "accept": "processing", "review_approve": "done", "callback_done": "called_back", "reopen": "redo",
    "cancel": "cancelled",
}


class HotlineCaseLookupError(ValueError):
    """The lookup's input is not a case number and a code (too long, control characters)."""


class HotlineCaseLookup(models.Model):
    """One lookup on the public status page: the rate limits count these (kept a day)."""

    _name = "hotline.case.lookup"
    _description = "Public Case Lookup"
    _log_access = False

    ip = fields.Char(required=True, index=True)
    number_key = fields.Char(required=True, index=True, help="A hash of the number typed, found or not.")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    failed = fields.Boolean()

    @api.model
    def _clean(self, value, limit):
        value = unicodedata.normalize("NFKC", value or "").strip()
        if len(value) > limit or _CONTROL.search(value):
            raise HotlineCaseLookupError(value[:20])
        return value

    @api.model
    def _lookup(self, number, secret, ip):
        """('ok', status) | ('not_found', None) | ('limited', None); HotlineCaseLookupError for bad input."""
        number = self._clean(number, MAX_NUMBER_LENGTH).upper()
        secret = re.sub(r"\s", "", self._clean(secret, MAX_SECRET_LENGTH))
        now = fields.Datetime.now()
        key = hashlib.sha256(number.encode()).hexdigest()
        sudo = self.sudo()
        if sudo.search_count([("ip", "=", ip), ("date", ">", now - IP_WINDOW)]) >= IP_LIMIT or \
                sudo.search_count([("number_key", "=", key), ("failed", "=", True),
                                   ("date", ">", now - NUMBER_WINDOW)]) >= NUMBER_LIMIT:
            return "limited", None
        case = self.env["hotline.case"].sudo().search([("name", "=", number)], limit=1) if number else None
        matched = self._secret_matches(case, secret)
        sudo.create({"ip": ip, "number_key": key, "failed": not matched})
        if not matched:
            return "not_found", None
        return "ok", case._hotline_public_status()

    @api.model
    def _secret_matches(self, case, secret):
        code = case.hotline_retrieval_code if case else "000000"
        phone = re.sub(r"\D", "", case.caller_phone or "") if case else ""
        # both compared every time, in constant time: the timing tells nothing either
        code_ok = hmac.compare_digest((code or "").encode(), secret.encode()) and len(secret) == 6
        phone_ok = hmac.compare_digest(phone[-4:].encode(), secret.encode()) and len(secret) == 4 \
            and len(phone) >= 7
        return bool(case) and (code_ok or phone_ok)

    @api.autovacuum
    def _gc_lookups(self):
        self.sudo().search([("date", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()


class HotlineCase(models.Model):
    _inherit = "hotline.case"

    def _hotline_public_status(self):
        """What the citizen may see of the case: the steps, dated, with the unit's name, and the approved
        result. No staff, no notes, no caller data, no files."""
        self.ensure_one()
        case = self.sudo()
        tz = self.env.company._hotline_tz()

        def local(value):
            return pytz.utc.localize(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")

        steps = [{"step": "received", "date": local(case.date_received), "unit": False}]
        for log in case.log_ids.sorted(lambda line: (line.date, line.id)):
            step = PUBLIC_STEPS.get(log.action)
            if step:
                steps.append({"step": step, "date": local(log.date),
                              "unit": log.unit_id.name if step == "dispatched" else False})
        approved = case.state in ("callback", "closed")
        result = False
        if approved:
            result = case.resolution_note if case.log_ids.filtered(
                lambda line: line.action == "close_on_call") and not case.result_note else case.result_note
        return {"number": case.name, "state": case.state, "steps": steps, "result": result or False}
