from odoo import api, fields, models
from odoo.addons.hotline_case.models.hotline_case import CENTER_GROUP
from odoo.exceptions import UserError

from .hotline_platform_code import DISPUTE_REASON_SELECTION, RESULT_SELECTION
from .hotline_platform_event import APPLYING, STATUS_AFTER, parse_moment

# Steps of a platform work order that are the platform's to take: the center asks (退单, 延期) and the platform
# rules; the platform calls the citizen back and reopens, withdraws or merges its work orders.
PLATFORM_OWNED_ACTIONS = {
    "approve_extension", "reject_extension", "cancel", "merge", "callback_done", "callback_attempt",
    "callback_unreachable", "callback_refused", "reopen",
}
# Fields written from the platform's events only.
PLATFORM_LOCKED_FIELDS = frozenset({
    "platform_deadline", "platform_resolved", "platform_return_state", "platform_return_kind", "platform_signed",
})
# The center's requests the platform rules, on one path (_platform_request, _platform_apply_request_ruling):
# kind -> (outbound event, inbound ruling, log action when upheld, log action when refused).
PLATFORM_REQUESTS = {
    "return": ("return_request", "return_ruling", "platform_return", "platform_return_refused"),
    "dispute": ("dispute_request", "dispute_ruling", "platform_dispute_upheld", "platform_dispute_refused"),
}
FINAL_STATES = ("closed", "cancelled")


class HotlineCase(models.Model):
    _inherit = "hotline.case"

    platform_counterpart_id = fields.Many2one(
        "hotline.platform.counterpart", string="Platform", index="btree_not_null", copy=False,
        help="The upstream platform (12345) this work order came from.")
    platform_ref = fields.Char(string="Platform Number", copy=False, index="btree_not_null",
                               help="The work order's number on the platform (工单编号).")
    platform_deadline = fields.Datetime(
        string="Platform Deadline", readonly=True, copy=False,
        help="办理时限 set by the platform: it is the case's deadline; an extension follows the platform's ruling.")
    platform_result = fields.Selection(
        RESULT_SELECTION, string="Result for the Platform", copy=False,
        help="办理结果 reported with the finished work order: the unit's, as it submitted it, unless the reviewer "
             "corrects it.")
    platform_resolved = fields.Boolean(string="Resolved (Platform's Callback)", readonly=True, copy=False)
    platform_return_state = fields.Selection(
        [("requested", "Requested"), ("approved", "Approved"), ("rejected", "Refused")],
        string="Return to Platform", readonly=True, copy=False,
        help="The platform's ruling of the center's last request (退单 or 派单异议, see Request Kind).")
    platform_return_kind = fields.Selection(
        [("return", "Return (退单)"), ("dispute", "Dispatch Objection (派单异议)")], string="Request Kind",
        readonly=True, copy=False)
    platform_signed = fields.Boolean(readonly=True, copy=False)
    platform_event_ids = fields.One2many("hotline.platform.event", "case_id", string="Platform Events",
                                         groups=CENTER_GROUP)

    _platform_ref_uniq = models.UniqueIndex("(platform_counterpart_id, platform_ref) WHERE platform_ref IS NOT NULL",
                                            "A platform work order is one case.")

    # ------------------------------------------------------------------
    # Guards
    # ------------------------------------------------------------------
    def _check_workflow_vals(self, vals, creating=False):
        super()._check_workflow_vals(vals, creating=creating)
        if self.env.su:
            return
        locked = PLATFORM_LOCKED_FIELDS.intersection(vals)
        if not creating and {"platform_counterpart_id", "platform_ref"} & vals.keys() and any(
                case.state != "draft" for case in self):
            locked |= {"platform_counterpart_id", "platform_ref"} & vals.keys()
        if locked:
            raise UserError(self.env._("The platform's data of a work order change only through its events."))

    def _compute_deadlines(self, start):
        """The platform's 办理时限 is the deadline of its work orders, whatever the local rules say."""
        result = super()._compute_deadlines(start)
        if self.platform_deadline:
            result["deadline"] = self.platform_deadline
            if result["sign_deadline"] and result["sign_deadline"] > self.platform_deadline:
                result["sign_deadline"] = self.platform_deadline
        return result

    def _keeps_extended_deadline(self, new_deadline):
        return False if self.platform_deadline else super()._keeps_extended_deadline(new_deadline)

    def _transition(self, action, to_state, vals=None, note=None, now=None, log_vals=None):
        applying = APPLYING.get()
        platform_cases = self.sudo().filtered("platform_ref")
        if not applying:
            for case in platform_cases:
                case._platform_check_step(action)
        result = super()._transition(action, to_state, vals=vals, note=note, now=now, log_vals=log_vals)
        if action == "submit":
            # the unit's 办理结果 is the one reported in 办结 unless the reviewer corrects it
            for case in platform_cases.filtered("handling_result"):
                case.platform_result = case.handling_result
        if not applying:
            for case in platform_cases:
                case._platform_report(action, note)
        return result

    def _platform_check_step(self, action):
        if action in PLATFORM_OWNED_ACTIONS:
            raise UserError(self.env._(
                "Case %s is a work order of the 12345 platform: this step is the platform's (request a return "
                "or an extension, the platform rules).", self.name))
        if action == "review_approve" and not self.platform_result:
            raise UserError(self.env._("Choose the result to report to the platform (办理结果) for case %s.",
                                       self.name))

    def _platform_report(self, action, note):
        """The outbound events of a local step, written in its transaction."""
        Event = self.env["hotline.platform.event"]
        if action in ("dispatch", "self_dispatch") and not self.platform_signed:
            self.platform_signed = True
            Event._enqueue(self, "accept", {"unit": self.unit_id.name, "note": note or ""})
        elif action == "request_extension":
            Event._enqueue(self, "extension_request",
                           {"days": self.extension_days, "reason": self.extension_reason or ""})
        elif action == "review_approve":
            table = self.platform_counterpart_id._code_table()
            Event._enqueue(self, "finish", {
                "result": table._code_of("result", self.platform_result), "reply": self.result_note or "",
                "unit": self.unit_id.name or "", "attachment_ids": self.result_attachment_ids.ids,
            })

    # ------------------------------------------------------------------
    # The center's requests to the platform
    # ------------------------------------------------------------------
    def _platform_send_progress(self, note):
        """阶段性回复: an interim reply on the work order."""
        self._check_group(CENTER_GROUP, self.env._("reply on"))
        for case in self.sudo():
            case._platform_require_open()
            case._require(note, self.env._("Write the interim reply."))
            self.env["hotline.platform.event"]._enqueue(case, "progress", {"note": note})
            case.message_post(body=self.env._("Interim reply sent to the 12345 platform: %s", note),
                              subtype_xmlid="mail.mt_note")
        return True

    def _platform_request_return(self, reason):
        """退单申请: the work order is not the center's; the platform rules (the case stays until then)."""
        return self._platform_request("return", reason)

    def _platform_dispute(self, reason, reason_key):
        """派单异议: the center disputes that the dispatched work order is its own, before signing for it; the
        platform rules (upheld: the work order is withdrawn from the center; refused: the case stays)."""
        return self._platform_request("dispute", reason, reason_key)

    def _platform_request(self, kind, reason, reason_key=None):
        """A request of the center that the platform rules (PLATFORM_REQUESTS): one at a time per work order."""
        self._check_group("hotline_case.group_dispatcher", self.env._("return") if kind == "return"
                          else self.env._("dispute the dispatch of"))
        event_kind = PLATFORM_REQUESTS[kind][0]
        for case in self.sudo():
            case._platform_require_open()
            case._require(reason, self.env._("Give the reason for returning case %s.", case.name) if kind == "return"
                          else self.env._("Give the reason for disputing the dispatch of case %s.", case.name))
            if case.platform_return_state == "requested":
                raise UserError(self.env._("A request on case %s is already waiting for the platform's ruling.",
                                           case.name))
            payload = {"reason": reason}
            if kind == "dispute":
                case._platform_check_dispute()
                if reason_key not in dict(DISPUTE_REASON_SELECTION):
                    raise UserError(self.env._("Choose the kind of objection for case %s.", case.name))
                payload["reason_code"] = case.platform_counterpart_id._code_table()._code_of(
                    "dispute_reason", reason_key)
            case.write({"platform_return_state": "requested", "platform_return_kind": kind})
            self.env["hotline.platform.event"]._enqueue(case, event_kind, payload)
            body = (self.env._("Return requested from the 12345 platform: %s", reason) if kind == "return"
                    else self.env._("Dispatch disputed with the 12345 platform (派单异议): %s", reason))
            case.message_post(body=body, subtype_xmlid="mail.mt_note")
        return True

    def _platform_check_dispute(self):
        """The rule of 派单异议 (readme/USAGE.md): once per work order, and only before the center signed for it
        (sent it to a unit); after that, the way out is 退单."""
        if self.platform_signed or self.state not in ("draft", "pool"):
            raise UserError(self.env._(
                "Case %s was already signed for or handled: a dispatch can only be disputed before signing for "
                "it; request a return (退单) instead.", self.name))
        disputed = self.env["hotline.platform.event"].sudo().search_count([
            ("counterpart_id", "=", self.platform_counterpart_id.id), ("platform_ref", "=", self.platform_ref),
            ("direction", "=", "out"), ("kind", "=", "dispute_request")], limit=1)
        if disputed:
            raise UserError(self.env._("The dispatch of case %s was already disputed: a work order is disputed "
                                       "once.", self.name))

    def _platform_require_open(self):
        if not self.platform_ref:
            raise UserError(self.env._("Case %s is not a work order of the 12345 platform.", self.name))
        if self.state in FINAL_STATES:
            raise UserError(self.env._("Case %s is finished.", self.name))

    def action_platform_reply_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "name": self.env._("Reply to the Platform"),
            "res_model": "hotline.platform.reply.wizard", "view_mode": "form", "target": "new",
            "context": {"default_case_id": self.id, "default_kind": self.env.context.get("platform_kind", "progress")},
        }

    # ------------------------------------------------------------------
    # The platform's events, applied (as the exchange, sudo; APPLYING is set)
    # ------------------------------------------------------------------
    def _platform_apply_dispatch(self, event):
        payload, table, counterpart = event.payload, event._code_table(), event.counterpart_id
        content = str(payload.get("content") or "").strip()
        deadline = parse_moment(payload.get("deadline"), self.env.company._hotline_tz())
        if not content or not deadline:
            raise UserError(self.env._("A dispatched work order needs its content and its deadline."))
        category = table._lookup("category", payload["category"]) if payload.get("category") else False
        unit = table._lookup("unit", payload["unit"]) if payload.get("unit") else False
        case = self.create({
            "channel": "platform", "platform_counterpart_id": counterpart.id, "platform_ref": event.platform_ref,
            "platform_deadline": deadline, "description": content[:20000],
            "address": str(payload.get("address") or "")[:500] or False,
            "category_id": category.id if category else False, "unit_id": unit.id if unit else False,
            "caller_name": str(payload.get("caller_name") or "")[:100] or False,
            "caller_phone": str(payload.get("caller_phone") or "")[:40] or False,
            "confidential": bool(payload.get("confidential")),
            "urgency": "urgent" if payload.get("urgent") else "normal",
            "date_received": event.occurred_at, "agent_id": False,
        })
        case._transition("platform_receive", counterpart.intake_state if counterpart.intake_state != "draft" else None,
                         note=event.platform_ref)
        self.env["hotline.platform.event"]._enqueue(case, "receive", {"case": case.name})
        return case

    def _platform_apply_return_ruling(self, event):
        self._platform_apply_request_ruling(event, "return")

    def _platform_apply_dispute_ruling(self, event):
        self._platform_apply_request_ruling(event, "dispute")

    def _platform_apply_request_ruling(self, event, kind):
        """The platform's ruling of a request of the center: upheld, the work order leaves the center (the case
        is cancelled, the ruling logged); refused, the case stays, with the deadline the platform gives."""
        if self.platform_return_state != "requested" or (self.platform_return_kind or "return") != kind:
            raise UserError(self.env._("Case %s has no return waiting for a ruling.", self.name) if kind == "return"
                            else self.env._("Case %s has no dispute waiting for a ruling.", self.name))
        _event_kind, _ruling, upheld, refused = PLATFORM_REQUESTS[kind]
        note = str(event.payload.get("note") or "")
        if event.payload.get("approved"):
            now = fields.Datetime.now()
            reason = (self.env._("Returned to the 12345 platform. %s", note) if kind == "return"
                      else self.env._("Withdrawn by the 12345 platform on the center's dispute (派单异议). %s", note))
            self._transition(upheld, "cancelled", {
                "platform_return_state": "approved", "date_closed": now, "cancel_reason": reason.strip(),
            }, note=note, now=now)
        else:
            vals = {"platform_return_state": "rejected"}
            deadline = parse_moment(event.payload.get("deadline"), self.env.company._hotline_tz())
            if deadline:
                vals["platform_deadline"] = deadline
                if self.deadline:
                    vals["deadline"] = deadline
            self._transition(refused, None, vals, note=note)

    def _platform_apply_extension_ruling(self, event):
        if self.extension_state != "requested":
            raise UserError(self.env._("Case %s has no extension request to decide.", self.name))
        note = str(event.payload.get("note") or "")
        if event.payload.get("approved"):
            deadline = parse_moment(event.payload.get("deadline"), self.env.company._hotline_tz())
            if not deadline:
                raise UserError(self.env._("An approved extension needs the new deadline."))
            self._transition("approve_extension", None, {
                "extension_state": "approved", "deadline": deadline, "platform_deadline": deadline}, note=note)
            self._notify_unit("approve_extension", self.env._(
                "The extension of case %(case)s is approved: the new deadline is %(deadline)s.",
                case=self.name, deadline=self._local_time(deadline)))
        else:
            self._transition("reject_extension", None, {"extension_state": "rejected"}, note=note)
            self._notify_unit("reject_extension", self.env._(
                "The extension of case %(case)s is refused: the deadline stays %(deadline)s.",
                case=self.name, deadline=self._local_time(self.deadline) if self.deadline else "-"))

    def _platform_apply_callback(self, event):
        if self.state != "callback":
            raise UserError(self.env._("Case %s is not waiting for a callback.", self.name))
        payload, now = event.payload, fields.Datetime.now()
        note = str(payload.get("note") or "") or self.env._("Called back by the 12345 platform.")
        outcome = payload.get("outcome") or "rated"
        vals = {"date_closed": now, "callback_note": note, "platform_resolved": bool(payload.get("resolved"))}
        if outcome == "rated":
            vals.update(satisfaction=event._code_table()._lookup("satisfaction", payload.get("satisfaction")),
                        callback_outcome="rated")
            action = "callback_done"
        elif outcome in ("unreachable", "refused"):
            vals.update(satisfaction=False, callback_outcome=outcome)
            action = f"callback_{outcome}"
        else:
            raise UserError(self.env._("Unknown callback outcome: %s.", str(outcome)[:40]))
        self._transition(action, "closed", vals, note=note, now=now)

    def _platform_apply_reopen(self, event):
        if self.state not in ("callback", "closed"):
            raise UserError(self.env._("Case %s is not finished: it cannot be reopened.", self.name))
        deadline = parse_moment(event.payload.get("deadline"), self.env.company._hotline_tz())
        if not deadline:
            raise UserError(self.env._("A reopened work order needs its new deadline."))
        note = str(event.payload.get("note") or "") or self.env._("Reopened by the 12345 platform.")
        self._transition("reopen", "pool", {
            "callback_note": note, "reopen_count": self.reopen_count + 1, "extension_state": "none",
            "sign_deadline": False, "deadline": False, "platform_deadline": deadline, "platform_signed": False,
            "platform_result": False, "date_closed": False, "satisfaction": False, "callback_outcome": False,
        }, note=note)

    def _platform_apply_urge(self, event, label=None):
        if self.state in FINAL_STATES:
            raise UserError(self.env._("Case %s is finished.", self.name))
        note = str(event.payload.get("note") or "")
        label = label or self.env._("Reminder from the 12345 platform (催办)")
        self._urge(f"{label}: {note}" if note else label, "urge")

    def _platform_apply_supervise(self, event):
        self._platform_apply_urge(event, self.env._("Supervision by the 12345 platform (督办)"))

    def _platform_apply_merge(self, event):
        if self.state in FINAL_STATES:
            raise UserError(self.env._("Case %s is finished.", self.name))
        into = str(event.payload.get("into") or "")
        target = self.search([("platform_counterpart_id", "=", self.platform_counterpart_id.id),
                              ("platform_ref", "=", into)], limit=1) if into else self.browse()
        if not into or target == self:
            raise UserError(self.env._("A merged work order names the work order it was merged into."))
        now = fields.Datetime.now()
        reason = self.env._("Merged by the 12345 platform into work order %s.", into)
        self._transition("merge", "cancelled", {"merged_into_id": target.id, "cancel_reason": reason,
                                                "date_closed": now}, note=reason, now=now)
        if target:
            target._transition("merge_in", None, note=self.name)

    def _platform_apply_withdraw(self, event):
        if self.state in FINAL_STATES:
            raise UserError(self.env._("Case %s is finished.", self.name))
        now = fields.Datetime.now()
        reason = str(event.payload.get("note") or "") or self.env._("Withdrawn by the 12345 platform.")
        self._transition("cancel", "cancelled", {"cancel_reason": reason, "date_closed": now}, note=reason, now=now)

    # ------------------------------------------------------------------
    # Reconciliation
    # ------------------------------------------------------------------
    @api.model
    def _platform_statuses(self, counterpart, refs):
        """{platform number: (status as the platform has acknowledged it, status once everything in flight
        arrives)}, from the exchanged events (see STATUS_AFTER)."""
        Event = self.env["hotline.platform.event"].sudo()
        events = Event.search([("counterpart_id", "=", counterpart.id), ("platform_ref", "in", list(refs))],
                              order="id")
        confirmed, intended = {}, {}
        for event in events:
            status = STATUS_AFTER.get(event.kind)
            if event.kind in ("return_ruling", "dispute_ruling"):
                status = "returned" if (event.payload or {}).get("approved") else None
            if not status:
                continue
            intended[event.platform_ref] = status
            if event.state in ("sent", "relayed", "applied"):
                confirmed[event.platform_ref] = status
        return {ref: (confirmed.get(ref), intended.get(ref)) for ref in refs}
