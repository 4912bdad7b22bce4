import base64
import binascii
import json
import unicodedata
from contextvars import ContextVar
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html_sanitize

from .hotline_exchange_inbox import ExchangeRefused

# The unit's steps (hotline_case's transition methods a unit member calls); on the unit server these are the
# only transitions, and the center re-applies them through the same methods.
UNIT_ACTIONS = ("accept", "return", "request_extension", "submit")
# Fields of the unit's copy written from the center's snapshot (none of them is a CENTER_GROUP field; the
# caller comes from unit_caller_*, hotline_case's one definition of what a unit may read of the caller).
SNAPSHOT_FIELDS = (
    "name", "state", "channel", "urgency", "address", "description", "confidential", "return_reason",
    "return_count", "extension_days", "extension_reason", "extension_state", "result_note", "review_note",
    "reopen_count", "sign_deadline", "deadline", "urge_count", "last_urge_date", "date_received",
    "date_dispatched", "date_accepted", "date_submitted", "date_closed",
)
DATETIME_FIELDS = {name for name in SNAPSHOT_FIELDS if name.startswith(("date_", "sign_", "deadline", "last_"))}
# How the unit server tells its members about a center step: the same hooks the center uses in one database.
NOTIFY_ACTIONS = ("dispatch", "self_dispatch", "urge", "auto_urge", "approve_extension", "reject_extension")
REVIEW_TEMPLATES = {
    "review_approve": "hotline_portal.mail_template_case_approved",
    "review_reject": "hotline_portal.mail_template_case_rejected",
}
PRECOMMIT_KEY = "hotline_exchange"
# cursor-cache key of the mails a delivery leaves for after its commit (see _notify_thread)
MAIL_LATER_KEY = "hotline_exchange_mail_later"
# ids are PostgreSQL integers: anything larger names no case
MAX_ID = 2**31 - 1
# The unit server's user whose step the center is applying: set by the exchange's code only (a context key
# would come from any RPC caller, who could then sign the history with any name).
EXCHANGE_ACTOR = ContextVar("hotline_exchange_actor", default=None)
# a person's name, and the unit's after it: more is not a name
MAX_ACTOR_LENGTH = 64


def clean_actor(value, limit=MAX_ACTOR_LENGTH):
    """The other server's user name as it may be stored and shown: one line of printable characters (no
    control or format character: NUL, newlines, bidirectional overrides), at most `limit` long. Wherever it is
    shown it is escaped; this keeps it a name."""
    text = " ".join(str(value or "").split())
    return "".join(char for char in text if unicodedata.category(char)[0] != "C")[:limit].strip()


def _ref(record, with_parent=None):
    """A catalogue record as the other server finds it again: by code, else by name."""
    if not record:
        return False
    data = {"code": record.code or "", "name": record.name}
    if with_parent:
        data[with_parent] = _ref(record[with_parent], with_parent if with_parent == "parent_id" else None)
    return data


class HotlineCase(models.Model):
    _inherit = "hotline.case"

    exchange_ref = fields.Integer(
        string="Center Case ID", readonly=True, copy=False,
        help="On the unit server: the id of the case on the center, which this case copies.",
    )
    exchange_seq = fields.Integer(string="Last Center Update", readonly=True, copy=False)

    _exchange_ref_uniq = models.UniqueIndex("(exchange_ref) WHERE exchange_ref > 0")

    # ------------------------------------------------------------------
    # Capture: what this server must send, in the transaction of the change
    # ------------------------------------------------------------------
    def _exchange_pending(self):
        """Per-transaction lists of what to send, written to the outbox just before commit (precommit), when
        the case's final state of the transaction is known; a savepoint rolled back leaves nothing (the log
        lines and messages are looked up again then)."""
        precommit = self.env.cr.precommit
        if PRECOMMIT_KEY not in precommit.data:
            precommit.data[PRECOMMIT_KEY] = {"logs": [], "messages": [], "notices": {}, "units": set()}
            precommit.add(self.env["hotline.case"].sudo()._exchange_flush_pending)
        return precommit.data[PRECOMMIT_KEY]

    def _transition(self, action, to_state, vals=None, note=None, now=None, log_vals=None):
        """The exchange's one capture point: every step of a case is logged by _transition. Gate: the unit
        server takes only the unit's steps (and applies the center's). Capture: on the center, the step's log
        lines go into the case's snapshot sent at commit; on the unit server, a unit's step becomes an event for
        the center in this very transaction (a step refused here rolls back with it)."""
        role = self.env["hotline.exchange.event"]._role()
        applying = self.env.context.get("hotline_exchange_applying")
        if action not in UNIT_ACTIONS and role == "unit" and not applying:
            raise UserError(self.env._("This is the unit server: this step is taken at the center."))
        result = super()._transition(action, to_state, vals=vals, note=note, now=now, log_vals=log_vals)
        # applying the center's snapshot (no actor) sends nothing back; a unit's step applied here (its actor
        # set) is the center's to send on to the unit in its snapshot
        actor = EXCHANGE_ACTOR.get()
        if role == "center" and (not applying or actor):
            self._exchange_pending()["logs"].extend(self._exchange_step_logs(action).ids)
        elif role == "unit" and not applying and action in UNIT_ACTIONS:
            Event = self.env["hotline.exchange.event"]
            for log in self._exchange_step_logs(action):
                case = log.case_id
                if case.exchange_ref:
                    Event._enqueue(action, case._exchange_unit_action_payload(action), case=case,
                                   unit_code=log.unit_id.code or case.unit_id.code, actor=self.env.user.name,
                                   lang=self.env.user.lang or self.env.lang)
        return result

    def _exchange_step_logs(self, action):
        """The log lines _transition just wrote for `action`: the newest of each case (sudo)."""
        lines = self.env["hotline.case.log"].sudo().search(
            [("case_id", "in", self.ids), ("action", "=", action)], order="id desc")
        latest = {}
        for line in lines:
            latest.setdefault(line.case_id.id, line)
        return self.env["hotline.case.log"].sudo().browse(sorted(line.id for line in latest.values()))

    def _notify_unit(self, kind, message=None, **kwargs):
        if self.env["hotline.exchange.event"]._role() == "center":
            pending = self._exchange_pending()
            for case in self:
                pending["notices"][case.id, kind] = message
            # the unit server tells its own members; a message to the center's copy of them must not cross too
            self = self.with_context(hotline_exchange_notice=True)
        return super()._notify_unit(kind, message, **kwargs)

    def _portal_notify_unit(self, template_xmlid, units=None, note=None):
        return super(HotlineCase, self.with_context(hotline_exchange_notice=True))._portal_notify_unit(
            template_xmlid, units=units, note=note)

    def _notify_thread(self, message, msg_vals=False, **kwargs):
        """While the unit server applies a delivery (context hotline_exchange_mail_later): the message is on the
        case at once, its notification (rendering, e-mail) waits for Odoo's scheduled-message job, queued by
        _exchange_schedule_mail once the delivery is applied."""
        if not self.env.context.get("hotline_exchange_mail_later") or kwargs.get("scheduled_date"):
            return super()._notify_thread(message, msg_vals=msg_vals, **kwargs)
        self.ensure_one()
        step = bool(self.env.context.get("hotline_exchange_step_notice"))
        self.env.cr.cache.setdefault(MAIL_LATER_KEY, []).append((message.id, self.id, step, kwargs))
        return []

    @api.model
    def _exchange_schedule_mail(self):
        """Queue the notifications of the delivery just applied (mail.message.schedule: Odoo's own queue, sent
        by its cron right after the commit; a replayed event posts nothing, so nothing is mailed twice). Every
        step notice (dispatch, urging, review…) is mailed; the center's messages on one case are announced by
        one mail, the latest one's: a backlog of hundreds of messages on a case is one mail, not hundreds."""
        queued = self.env.cr.cache.pop(MAIL_LATER_KEY, None)
        if not queued:
            return
        alive = set(self.env["mail.message"].sudo().browse([item[0] for item in queued]).exists().ids)
        chosen = {}
        for message_id, case_id, step, params in queued:
            if message_id in alive:  # an event refused after posting left nothing (savepoint)
                chosen[message_id if step else ("messages", case_id)] = (message_id, params)
        now = fields.Datetime.now()
        self.env["mail.message.schedule"].sudo().create([{
            "mail_message_id": message_id, "scheduled_datetime": now, "notification_parameters": json.dumps(params),
        } for message_id, params in sorted(chosen.values(), key=lambda item: item[0])])

    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        context = self.env.context
        if (not context.get("hotline_exchange_applying") and not context.get("hotline_exchange_notice")
                and self.env["hotline.exchange.event"]._role() in ("center", "unit")):
            self._exchange_pending()["messages"].append(message.id)
        return message

    @api.model
    def _exchange_flush_pending(self):
        """Precommit: one snapshot per case that changed (with the steps taken), then the public messages."""
        data = self.env.cr.precommit.data.pop(PRECOMMIT_KEY, None)
        if not data:
            return
        role = self.env["hotline.exchange.event"]._role()
        Event = self.env["hotline.exchange.event"].sudo()
        if role == "center":
            for unit in self.env["hotline.unit"].sudo().with_context(active_test=False).browse(
                    sorted(data["units"])).exists():
                Event._enqueue("unit", unit._exchange_payload())
            logs = self.env["hotline.case.log"].sudo().browse(data["logs"]).exists()
            for case in logs.case_id:
                if not case.handled_unit_ids:
                    continue
                actions = [{"action": log.action, "notice": data["notices"].get((case.id, log.action)) or ""}
                           for log in logs.filtered(lambda line, c=case: line.case_id == c).sorted("id")]
                Event._enqueue("case", {**case._exchange_snapshot(), "actions": actions}, case=case)
        messages = self.env["mail.message"].sudo().browse(data["messages"]).exists()
        for message in messages.sorted("id"):
            case = self.browse(message.res_id).exists() if message.model == self._name else self.browse()
            if not case or not self._exchange_public_message(message):
                continue
            if role == "center" and case.handled_unit_ids:
                Event._enqueue("message", case._exchange_message_payload(message), case=case)
            elif role == "unit" and case.exchange_ref:
                Event._enqueue("message", case._exchange_message_payload(message), case=case,
                               unit_code=case.unit_id.code or case.handled_unit_ids[:1].code,
                               actor=message.author_id.name, lang=self.env.lang)

    @api.model
    def _exchange_public_message(self, message):
        """A message between center and unit: hotline_portal's definition of what a unit reads."""
        return message.message_type == "comment" and bool(self._portal_public_messages(message))

    def _exchange_message_payload(self, message):
        return {
            "body": str(message.body or ""),
            "author": message.author_id.name or "",
            "date": fields.Datetime.to_string(message.date),
            "attachments": [self._exchange_file(att) for att in message.attachment_ids],
        }

    @api.model
    def _exchange_file(self, attachment):
        attachment = attachment.sudo()
        return {"name": attachment.name, "mimetype": attachment.mimetype or "",
                "datas": (attachment.datas or b"").decode()}

    # ------------------------------------------------------------------
    # Center → unit server: the snapshot of what units may read
    # ------------------------------------------------------------------
    def _exchange_snapshot(self):
        """The case as its units may read it, nothing more: no CENTER_GROUP field, the caller as units see it
        (nothing at all when confidential), the log lines of its units (the portal's record rule)."""
        self.ensure_one()
        case = self.sudo()
        handled = case.handled_unit_ids
        values = {}
        for name in SNAPSHOT_FIELDS:
            value = case[name]
            values[name] = fields.Datetime.to_string(value) if name in DATETIME_FIELDS else value
        values.update({
            "caller_name": False if case.confidential else case.unit_caller_name or False,
            "caller_phone": False if case.confidential else case.unit_caller_phone or False,
            "type": _ref(case.type_id),
            "category": _ref(case.category_id, "parent_id"),
            "district": _ref(case.district_id),
            "street": _ref(case.street_id, "district_id"),
            "unit": case.unit_id._exchange_payload() if case.unit_id else False,
            "handled_units": [unit._exchange_payload() for unit in handled],
            "logs": [{
                "ref": log.id, "action": log.action, "from_state": log.from_state, "to_state": log.to_state,
                "unit": log.unit_id.code, "date": fields.Datetime.to_string(log.date), "note": log.note or "",
                "user": log.exchange_actor or log.user_id.name or "",
                # 退单裁定: the center's ruling of the unit's return, which the unit reads on its copy
                "ruling": log.return_ruling or False, "ruling_note": log.ruling_note or "",
                "ruled_at": fields.Datetime.to_string(log.ruling_date) if log.ruling_date else False,
            } for log in case.log_ids.filtered(lambda line: line.unit_id in handled).sorted("id")],
        })
        return values

    # ------------------------------------------------------------------
    # Unit server: applying the center's snapshot to the local copy
    # ------------------------------------------------------------------
    @api.model
    def _exchange_find_copy(self, case_ref):
        return self.sudo().with_context(active_test=False).search([("exchange_ref", "=", case_ref)], limit=1)

    @api.model
    def _exchange_apply_snapshot(self, case_ref, sequence, snapshot):
        """Create or update the copy of center case `case_ref`; an update older than the copy is skipped
        (returns False), so each case follows the center's order whatever the delivery order."""
        Case = self.sudo().with_context(hotline_exchange_applying=True, tracking_disable=True,
                                        mail_create_nolog=True, mail_notrack=True)
        case = Case._exchange_find_copy(case_ref)
        if case and case.exchange_seq >= sequence:
            return False
        Catalog = self.env["hotline.unit"].sudo()
        vals = {name: snapshot.get(name) or False for name in SNAPSHOT_FIELDS}
        for name in ("return_count", "extension_days", "reopen_count", "urge_count"):
            vals[name] = int(snapshot.get(name) or 0)
        vals.update({
            "exchange_seq": sequence,
            "type_id": Catalog._exchange_catalog("hotline.case.type", snapshot.get("type")),
            "category_id": Catalog._exchange_catalog("hotline.category", snapshot.get("category")),
            "district_id": Catalog._exchange_catalog("hotline.district", snapshot.get("district")),
            "street_id": Catalog._exchange_catalog("hotline.street", snapshot.get("street")),
            "unit_id": Catalog._exchange_upsert(snapshot["unit"]).id if snapshot.get("unit") else False,
        })
        for unit in snapshot.get("handled_units") or []:
            Catalog._exchange_upsert(unit)
        if not case:
            # no caller in create(): it would look the caller's contact up (and create one) on this server
            case = Case.create({**vals, "exchange_ref": case_ref, "agent_id": False})
        else:
            case.write(vals)
        case.write({"caller_name": snapshot.get("caller_name") or False,
                    "caller_phone": snapshot.get("caller_phone") or False})
        case._exchange_sync_logs(snapshot.get("logs") or [])
        return case

    def _exchange_sync_logs(self, lines):
        """The copy's history is the center's: lines written here ahead of the center go, missing ones come."""
        self.ensure_one()
        Log = self.env["hotline.case.log"].sudo().with_context(hotline_exchange_applying=True)
        Unit = self.env["hotline.unit"].sudo().with_context(active_test=False)
        refs = {line["ref"] for line in lines}
        existing = Log.search([("case_id", "=", self.id)])
        existing.filtered(lambda log: log.exchange_ref not in refs).unlink()
        known = set(existing.exists().mapped("exchange_ref"))
        units = {unit.code: unit.id for unit in Unit.search([("code", "in", [line["unit"] for line in lines])])}
        Log.create([{
            "case_id": self.id, "exchange_ref": line["ref"], "action": line["action"],
            "from_state": line["from_state"] or False, "to_state": line["to_state"] or False,
            "unit_id": units.get(line["unit"], False), "date": line["date"], "note": line["note"] or False,
            "user_id": False, "exchange_actor": line["user"], **self._exchange_ruling_vals(line),
        } for line in lines if line["ref"] not in known])
        # a return ruled (or ruled again) after its line came: the center's ruling replaces the copy's
        by_ref = {line["ref"]: line for line in lines}
        for log in existing.exists().filtered(lambda log: log.action == "return"):
            vals = self._exchange_ruling_vals(by_ref.get(log.exchange_ref) or {})
            if vals and vals["return_ruling"] != log.return_ruling:
                log.write(vals)
        self.flush_recordset(["handled_unit_ids"])

    @api.model
    def _exchange_ruling_vals(self, line):
        """The ruling fields of a snapshot's return line ({} for other lines and older centers)."""
        if line.get("action") != "return" or line.get("ruling") not in ("pending", "justified", "improper"):
            return {}
        return {"return_ruling": line["ruling"], "ruling_note": line.get("ruling_note") or False,
                "ruling_date": line.get("ruled_at") or False}

    def _exchange_notify(self, actions):
        """Tell this server's unit members about the center's steps, with the same templates and hooks as in
        one database."""
        self.ensure_one()
        case = self.sudo().with_context(hotline_exchange_applying=True, hotline_exchange_step_notice=True,
                                        lang=self._unit_lang())
        for step in actions:
            action = step.get("action")
            if action in NOTIFY_ACTIONS:
                case._notify_unit(action, step.get("notice") or None)
            elif action in REVIEW_TEMPLATES:
                case._portal_notify_unit(REVIEW_TEMPLATES[action])

    def _exchange_post(self, payload, author=None, sanitize=True):
        """Post a message received from the other side, with its files, to the unit's members."""
        self.ensure_one()
        case = self.sudo().with_context(hotline_exchange_applying=True)
        attachments = self._exchange_attachments(payload.get("attachments") or [])
        body = payload.get("body") or ""
        partners = case._exchange_recipients()
        return case.message_post(
            body=Markup(html_sanitize(body) if sanitize else body), author_id=author.id if author else None,
            message_type="comment", subtype_xmlid="mail.mt_comment", partner_ids=partners.ids,
            attachment_ids=attachments.ids,
        )

    @api.model
    def _exchange_post_many(self, items, author, firsts):
        """Post the center's messages [(case, payload)] (no files) of one delivery. A case's first message of the
        delivery goes through message_post (followers, reply-to, company… computed as for any message); its
        values are kept in `firsts` (case -> values, for the whole delivery) and the case's later messages are
        created together with them, replying to it, as long as the recipients are the same (a case update in
        between may have moved the case to another unit): a backlog of thousands of messages on a few dozen
        cases costs a few dozen message_post and one insert per call, not a message_post each."""
        values_list, cases = [], []
        for case, payload in items:
            if case not in firsts or firsts[case]["partner_ids"] != sorted(case._exchange_recipients().ids):
                first = case._exchange_post(payload, author=author, sanitize=False)
                values = first.read(["model", "res_id", "message_type", "subtype_id", "author_id", "email_from",
                                     "reply_to", "record_alias_domain_id", "record_company_id",
                                     "email_add_signature"], load=None)[0]
                values.pop("id")
                firsts[case] = {**values, "partner_ids": sorted(first.partner_ids.ids), "parent_id": first.id}
                continue
            values_list.append({**firsts[case], "body": Markup(payload.get("body") or "")})
            cases.append(case)
        messages = self.sudo().with_context(hotline_exchange_applying=True)._message_create(values_list)
        for case, message in zip(cases, messages, strict=True):
            case._notify_thread(message)  # within a delivery: queued (_exchange_schedule_mail)

    def _exchange_recipients(self):
        """Who a message from the other side is addressed to: the active members of the case's unit."""
        self.ensure_one()
        return self.sudo().unit_id.member_ids.filtered("active").partner_id

    def _exchange_attachments(self, files):
        """The files of a message or a result from the other side. On the center they come from the unit
        server: they must be what hotline_case accepts with a unit's result, whoever sent them (count and sizes
        read before decoding, then each file's type from its content)."""
        self.ensure_one()
        if self.env["hotline.exchange.event"]._role() != "center":
            return self.env["ir.attachment"].sudo().create([{
                "name": str(item.get("name") or "file")[:255], "datas": item.get("datas") or "",
                "res_model": self._name, "res_id": self.id,
            } for item in files])
        if not isinstance(files, list) or not all(
                isinstance(item, dict) and isinstance(item.get("datas"), str) for item in files):
            raise ExchangeRefused(self.env._("The files are malformed."))
        names = [str(item.get("name") or "file")[:255] for item in files]
        # the decoded sizes, exact for well-formed base64 (anything else is refused when decoded below)
        self._check_result_sizes([(name, len(item["datas"]) * 3 // 4 - item["datas"][-2:].count("="))
                                  for name, item in zip(names, files, strict=True)])
        values = []
        for name, item in zip(names, files, strict=True):
            try:
                raw = base64.b64decode(item["datas"], validate=True)
            except (binascii.Error, ValueError):
                raise ExchangeRefused(self.env._("A file is not valid base64.")) from None
            values.append({"name": name, "raw": raw, "mimetype": self._result_file_type(name, raw),
                           "res_model": self._name, "res_id": self.id})
        return self.env["ir.attachment"].sudo().create(values)

    # ------------------------------------------------------------------
    # Unit server: what a unit did, for the center
    # ------------------------------------------------------------------
    def _exchange_unit_action_payload(self, action):
        self.ensure_one()
        case = self.sudo()
        if action == "return":
            return {"reason": case.return_reason or ""}
        if action == "request_extension":
            return {"days": case.extension_days, "reason": case.extension_reason or ""}
        if action == "submit":
            return {"note": case.result_note or "", "result": case.handling_result or None,
                    "attachments": [self._exchange_file(att) for att in case.result_attachment_ids]}
        return {}

    def _exchange_portal_notices(self):
        """The unit's actions on this case still on their way to the center, and those the center refused
        since (shown on the unit's case page)."""
        self.ensure_one()
        if self.env["hotline.exchange.event"]._role() != "unit":
            return self.env["hotline.exchange.event"]
        week = fields.Datetime.now() - timedelta(days=7)
        return self.env["hotline.exchange.event"].sudo().search([
            ("case_id", "=", self.id), ("kind", "in", UNIT_ACTIONS),
            "|", ("state", "=", "pending"), "&", ("state", "=", "refused"), ("write_date", ">=", week),
        ], order="id desc", limit=5)

    # ------------------------------------------------------------------
    # Center: applying a unit's action through the workflow
    # ------------------------------------------------------------------
    @api.model
    def _exchange_unit_case(self, event):
        """(case, unit) of a unit's event: the center case `case_ref` and, among the units it was dispatched
        to, the one `unit_code` names; empty records when either is unknown."""
        case_ref = event.get("case_ref") if isinstance(event, dict) else None
        case = self.sudo().browse(case_ref).exists() if isinstance(case_ref, int) and not isinstance(
            case_ref, bool) and 0 < case_ref <= MAX_ID else self.sudo().browse()
        unit_code = event.get("unit_code")
        return case, case.handled_unit_ids.filtered(lambda unit: unit.code and unit.code == unit_code)[:1]

    def _exchange_sent(self):
        """Whether the unit server was sent this case (it holds the copy its units read)."""
        self.ensure_one()
        return bool(self.env["hotline.exchange.event"].sudo().search_count(
            [("case_id", "=", self.id), ("kind", "=", "case")], limit=1))

    @api.model
    def _exchange_refusal(self, event, result):
        """Tell the unit server that a unit's step was refused, and with it only what that unit was sent: the
        case as it stands when the case was dispatched to the unit and sent to the unit server, a bare refusal
        when it was never sent, and no answer at all for a unit the case was never dispatched to (a forged
        step pulls nothing of a case)."""
        case, unit = self._exchange_unit_case(event)
        if not unit:
            return None
        Event = self.env["hotline.exchange.event"]
        refusal = {"event_uid": result["uid"], "reason": result["reason"]}
        if not case._exchange_sent():
            return Event._enqueue("refusal", refusal)
        return Event._enqueue("refusal", {**refusal, "snapshot": case._exchange_snapshot()}, case=case)

    def _exchange_apply_unit_action(self, kind, payload):
        """Run the unit's step with hotline_case's own method (state checks and limits included), its log line
        signed with the unit server's user (context hotline_exchange_actor, set by the exchange)."""
        self.ensure_one()
        token = EXCHANGE_ACTOR.set(self.env.context.get("hotline_exchange_actor"))
        try:
            return self._exchange_apply_step(kind, payload)
        finally:
            EXCHANGE_ACTOR.reset(token)

    def _exchange_apply_step(self, kind, payload):
        if kind == "accept":
            return self.action_accept()
        if kind == "return":
            return self.action_return(reason=str(payload.get("reason") or ""))
        if kind == "request_extension":
            # anything but a number of days in range is refused by the workflow itself (0: none given)
            return self.action_request_extension(days=payload.get("days") or 0,
                                                 reason=str(payload.get("reason") or ""))
        if kind == "submit":
            attachments = self._exchange_attachments(payload.get("attachments") or [])
            # 办理结果: absent from older unit servers; an unknown one is refused by the workflow
            return self.action_submit(note=str(payload.get("note") or ""), attachment_ids=attachments.ids,
                                      result=str(payload.get("result") or "") or None)
        raise UserError(self.env._("Unknown step."))

