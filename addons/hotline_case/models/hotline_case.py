import logging
import os
import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, time, timedelta

import psycopg2.errors
import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools.mimetypes import guess_mimetype

from .hotline_deadline_rule import URGENCY_SELECTION
from .hotline_satisfaction_level import SATISFACTION_SELECTION

STATE_SELECTION = [
    ("draft", "Recording"),
    ("pool", "To Dispatch"),
    ("dispatched", "To Sign For"),
    ("processing", "Processing"),
    ("submitted", "To Review"),
    ("callback", "To Call Back"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
_logger = logging.getLogger(__name__)

# Where a case came from (受理业务统计 counts by it): the hotline's own phone line, the city's 12345 platform
# (work orders exchanged with it), Open311 client applications (web forms, mini-programs, grid systems), the
# portal or the web, a visit to the center.
CHANNEL_SELECTION = [
    ("phone", "Phone"), ("platform", "12345 Platform"), ("open311", "Open311 Client"), ("web", "Portal / Web"),
    ("walk_in", "Walk-in"), ("other", "Other"),
]
# States in which a unit holds the case and deadlines run.
OPEN_STATES = ("dispatched", "processing")
# The steps that hand a case to a unit or take it back: the unit of the latest one holds the case (a review, a
# reopening or a cancellation leave it with that unit, a return with none).
HOLDING_ACTIONS = ("dispatch", "self_dispatch", "return")
# Cases the urging job writes per transaction: short enough not to collide with the floor's own writes.
URGE_BATCH = 20
CENTER_GROUP = "hotline_case.group_agent"
# Fields a unit user may write directly (the rest only through transitions).
UNIT_WRITABLE_FIELDS = {"result_note", "handling_result", "return_reason", "extension_days", "extension_reason"}
# 办理结果: the unit's own verdict on its result, submitted with it (the unit figures' 解决率 counts it; the 12345
# platform's 办结 reports it).
HANDLING_RESULT_SELECTION = [
    ("resolved", "Resolved"),
    ("partly_resolved", "Partly Resolved"),
    ("unresolved", "Unresolved"),
    ("not_handled", "Not Handled"),
]
# Fields that only transitions write (plain writes are refused for everyone; unit_id is also free on unsent cases).
WORKFLOW_FIELDS = frozenset({
    "state", "extension_state", "sign_deadline", "deadline", "date_dispatched", "date_accepted", "date_submitted",
    "date_closed", "dispatcher_id", "return_count", "reopen_count", "urge_count", "last_urge_date",
    "merged_into_id", "callback_attempts", "callback_outcome",
})
# An extension request is frozen from the moment it is made until it is decided.
EXTENSION_FIELDS = frozenset({"extension_days", "extension_reason"})
# The limits of a unit's steps, the same whoever takes them (portal form, back office, unit server): an
# extension of 1-60 working days; a result's files are photos and documents from a phone, at most 10 of 10 MB
# and 50 MB together (the portal's form checks them in the browser too, and the external proxy's body limit
# follows them).
MAX_EXTENSION_DAYS = 60
MEGABYTE = 1024 * 1024
MAX_RESULT_FILES = 10
MAX_RESULT_FILE_BYTES = 10 * MEGABYTE
MAX_RESULT_BYTES = 50 * MEGABYTE
# What a result's file may be, read from its content (the name's extension must agree): photos, PDF, office
# documents. Nothing a browser would run (HTML, SVG), no program, no archive.
RESULT_FILE_TYPES = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "image/heic": ("heic",),
    "image/heif": ("heif",),
    "application/pdf": ("pdf",),
    "application/msword": ("doc", "wps"),
    "application/vnd.ms-excel": ("xls", "et"),
    "application/vnd.ms-powerpoint": ("ppt",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
}
# What the unit holding a case writes there (its result and files, return reason, extension request) and the
# center's review of it: a unit that held the case before reads none of it (its own stays in its messages and
# in the case log's lines of its steps).
HOLDER_FIELDS = frozenset({
    "result_note", "handling_result", "result_attachment_ids", "return_reason", "extension_days", "extension_reason",
    "review_note",
})
# Set by _transition only: a server-side flag, so no context key sent by a client unlocks workflow fields.
_IN_TRANSITION = ContextVar("hotline_case_in_transition", default=False)


@contextmanager
def _transition_writes():
    token = _IN_TRANSITION.set(True)
    try:
        yield
    finally:
        _IN_TRANSITION.reset(token)


class HotlineCase(models.Model):
    _name = "hotline.case"
    _description = "Hotline Case"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_received desc, id desc"
    _mail_post_access = "read"

    name = fields.Char(string="Number", required=True, readonly=True, copy=False, default="/", index="trigram")
    state = fields.Selection(
        STATE_SELECTION, required=True, default="draft", readonly=True, copy=False, tracking=True,
        group_expand=True,  # the kanban shows every stage of the workflow, in workflow order
    )
    channel = fields.Selection(CHANNEL_SELECTION, required=True, default="phone")
    type_id = fields.Many2one("hotline.case.type", string="Type", index=True)
    category_id = fields.Many2one("hotline.category", string="Category")  # indexed with the date, below
    industry_id = fields.Many2one(
        "hotline.industry", string="Industry", compute="_compute_industry_id", store=True, readonly=False,
        index=True,
    )
    urgency = fields.Selection(URGENCY_SELECTION, required=True, default="normal")
    district_id = fields.Many2one("hotline.district", string="District", index=True)
    street_id = fields.Many2one(
        "hotline.street", string="Street", index=True, domain="[('district_id', '=?', district_id)]",
    )
    address = fields.Char()
    description = fields.Text()

    # Caller: readable by the center only; units read unit_caller_* (masked when confidential).
    caller_phone = fields.Char(string="Caller Phone", groups=CENTER_GROUP, index=True, copy=False)
    partner_id = fields.Many2one("res.partner", string="Caller", groups=CENTER_GROUP, index=True, copy=False)
    caller_name = fields.Char(string="Caller Name", groups=CENTER_GROUP, copy=False)
    confidential = fields.Boolean(help="The caller's name and number are never shown to units.")
    unit_caller_name = fields.Char(string="Caller (for units)", compute="_compute_unit_caller")
    unit_caller_phone = fields.Char(string="Caller Phone (for units)", compute="_compute_unit_caller")
    # Links to other cases are the center's: they would lead a unit to cases not its own, or tie a
    # confidential case to its caller through another case of the same caller.
    caller_case_count = fields.Integer(string="Previous Cases", compute="_compute_caller_cases", groups=CENTER_GROUP)
    caller_case_ids = fields.Many2many(
        "hotline.case", string="Caller's Previous Cases", compute="_compute_caller_cases", groups=CENTER_GROUP,
    )
    repeat_caller = fields.Boolean(
        compute="_compute_caller_cases", help="The caller has called before.", groups=CENTER_GROUP,
    )
    duplicate_case_ids = fields.Many2many(
        "hotline.case", string="Possible Duplicates", compute="_compute_duplicate_case_ids", groups=CENTER_GROUP,
    )
    duplicate_count = fields.Integer(compute="_compute_duplicate_case_ids", groups=CENTER_GROUP)

    unit_id = fields.Many2one("hotline.unit", string="Unit", tracking=True, copy=False)  # indexed below
    suggested_unit_id = fields.Many2one(
        "hotline.unit", string="Suggested Unit", compute="_compute_suggested_unit_id",
    )
    is_unit_member = fields.Boolean(compute="_compute_is_unit_member")
    agent_id = fields.Many2one(
        "res.users", string="Agent", default=lambda self: self.env.user, index=True, copy=False,
    )
    dispatcher_id = fields.Many2one("res.users", string="Dispatcher", copy=False)

    resolution_note = fields.Text(string="Answer on the Call", copy=False)
    return_reason = fields.Text(copy=False)
    return_count = fields.Integer(readonly=True, copy=False)
    extension_days = fields.Integer(copy=False)
    extension_reason = fields.Text(copy=False)
    extension_state = fields.Selection(
        [("none", "None"), ("requested", "Requested"), ("approved", "Approved"), ("rejected", "Rejected")],
        default="none", required=True, readonly=True, copy=False, tracking=True,
    )
    result_note = fields.Text(string="Result", copy=False)
    handling_result = fields.Selection(
        HANDLING_RESULT_SELECTION, string="Handling Result", copy=False,
        help="办理结果 the unit submits with its result: resolved, partly resolved, unresolved or not handled.")
    result_attachment_ids = fields.Many2many(
        "ir.attachment", "hotline_case_result_attachment_rel", "case_id", "attachment_id",
        string="Result Files", readonly=True, copy=False, help="Photos and documents the unit sent with its result.",
    )
    review_note = fields.Text(copy=False)
    satisfaction = fields.Selection(SATISFACTION_SELECTION, copy=False)
    callback_note = fields.Text(copy=False)
    # 回访 outcome: a rating is an evaluation of the unit's result; an unreachable caller (after the configured
    # attempts) or a refusal is not, and is counted apart
    callback_outcome = fields.Selection(
        [("rated", "Rated"), ("unreachable", "Caller Unreachable"), ("refused", "Declined to Rate")],
        readonly=True, copy=False, tracking=True,
        help="How the callback ended: rated (an evaluation), caller unreachable (无法联系, after the configured "
             "number of attempts) or declined to rate (拒绝评价). Neither of the last two is an evaluation.")
    callback_attempts = fields.Integer(
        readonly=True, copy=False,
        help="Unanswered callback attempts on the current result, each logged with its time and agent.")
    callback_max_attempts = fields.Integer(compute="_compute_callback_max_attempts")
    reopen_count = fields.Integer(readonly=True, copy=False)
    cancel_reason = fields.Text(copy=False)
    merged_into_id = fields.Many2one(
        "hotline.case", string="Merged Into", readonly=True, copy=False, index=True, groups=CENTER_GROUP,
    )
    merged_case_ids = fields.One2many("hotline.case", "merged_into_id", string="Merged Cases", groups=CENTER_GROUP)

    sign_deadline = fields.Datetime(readonly=True, copy=False, tracking=True)
    deadline = fields.Datetime(readonly=True, copy=False, tracking=True, index=True)
    overdue = fields.Boolean(compute="_compute_deadline_flags", search="_search_overdue")
    near_deadline = fields.Boolean(compute="_compute_deadline_flags", search="_search_near_deadline")
    urge_count = fields.Integer(readonly=True, copy=False)
    last_urge_date = fields.Datetime(readonly=True, copy=False)

    date_received = fields.Datetime(default=fields.Datetime.now, required=True, copy=False)
    date_dispatched = fields.Datetime(readonly=True, copy=False)
    date_accepted = fields.Datetime(readonly=True, copy=False)
    date_submitted = fields.Datetime(readonly=True, copy=False)
    date_closed = fields.Datetime(readonly=True, copy=False)
    log_ids = fields.One2many("hotline.case.log", "case_id", string="Log", readonly=True)
    # Units the case was ever dispatched to: they keep reading what they handled, also after a return. Stored so
    # that the units' record rules are a plain indexed join on large databases (the table keeps the name it had
    # in hotline_portal, where the field was born).
    handled_unit_ids = fields.Many2many(
        "hotline.unit", "hotline_case_portal_unit_rel", "case_id", "unit_id", string="Units Involved",
        compute="_compute_handled_unit_ids", store=True,
    )

    # Lists by state (agent/dispatcher work queues) sorted as _order; also serves plain state filters.
    _state_date_idx = models.Index("(state, date_received DESC, id DESC)")
    # INCLUDE state: a unit's list (record rule on handled_unit_ids, often filtered by state) walks this index
    # without heap reads, then probes the relation for the few rows left (bench_case.py; figures: bench/README.md)
    _date_state_idx = models.Index("(date_received DESC, id DESC) INCLUDE (state)")
    # the cases still open in list order: a unit's list filtered by open states walks these few rows instead of
    # years of closed ones (bench_large_tables.py; figures: bench/README.md, Large tables)
    _open_date_idx = models.Index("(date_received DESC, id DESC) WHERE state NOT IN ('closed', 'cancelled')")
    # the cases a unit holds (its write rule, unit filters) in the same order
    _unit_date_idx = models.Index("(unit_id, date_received DESC, id DESC)")
    # duplicate detection: same category within a few days (then street or address)
    _category_date_idx = models.Index("(category_id, date_received)")
    # overdue / near-deadline filters and the urging job only look at cases a unit holds
    _open_deadline_idx = models.Index("(deadline) WHERE state IN ('dispatched', 'processing')")
    _sign_deadline_idx = models.Index("(sign_deadline) WHERE state = 'dispatched'")
    _extension_days_positive = models.Constraint(
        "CHECK(extension_days >= 0)", "The extension days cannot be negative.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_callback_max_attempts(self):
        for case in self:
            case.callback_max_attempts = case._callback_max_attempts()

    @api.model
    def _callback_max_attempts(self):
        return max(1, self.env.company.hotline_callback_attempts or 1)

    @api.depends("category_id")
    def _compute_industry_id(self):
        for case in self:
            industry = case.category_id._get_industry()
            if industry:
                case.industry_id = industry

    @api.depends("confidential", "caller_name", "caller_phone")
    @api.depends_context("uid")
    def _compute_unit_caller(self):
        masked = self.env._("Confidential")
        for case in self:
            if case.confidential:
                case.unit_caller_name = masked
                case.unit_caller_phone = masked
            else:
                sudo_case = case.sudo()
                case.unit_caller_name = sudo_case.caller_name
                case.unit_caller_phone = sudo_case.caller_phone

    @api.depends("partner_id", "caller_phone")
    def _compute_caller_cases(self):
        for case in self:
            sudo_case = case.sudo()
            previous = self.browse()
            if (sudo_case.partner_id or sudo_case.caller_phone) and self.env.user.has_group(CENTER_GROUP):
                domain = Domain("id", "!=", case._origin.id or 0)
                if sudo_case.partner_id:
                    domain &= Domain("partner_id", "=", sudo_case.partner_id.id)
                else:
                    domain &= Domain("caller_phone", "=", sudo_case.caller_phone)
                previous = self.search(domain, limit=10)
                count = self.search_count(domain) if len(previous) == 10 else len(previous)
            else:
                count = 0
            case.caller_case_ids = previous
            case.caller_case_count = count
            case.repeat_caller = bool(count)

    @api.depends("log_ids.to_state", "log_ids.unit_id")
    def _compute_handled_unit_ids(self):
        for case in self:
            dispatches = case.sudo().log_ids.filtered(lambda log: log.to_state == "dispatched")
            case.handled_unit_ids = dispatches.unit_id

    @api.model
    def _holder_sql(self, case_id, until=None):
        """SQL: the unit holding the case `case_id` (SQL), from its log; with `until` (SQL), the one holding it then.

        A unit reads what was sent to the case while it held it and writes on it only then (record rules on
        mail.message and ir.attachment); every unit holding a case, now or before, is in handled_unit_ids.
        """
        return SQL(
            """(SELECT CASE WHEN l.action = 'return' THEN NULL ELSE l.unit_id END
                  FROM hotline_case_log l
                 WHERE l.case_id = %s AND l.action IN %s AND %s
                 ORDER BY l.date DESC, l.id DESC LIMIT 1)""",
            case_id, HOLDING_ACTIONS, SQL("l.date <= %s", until) if until is not None else SQL("TRUE"),
        )

    def _holding_units(self):
        """{case id: id of the unit holding the case, or None}."""
        ids = [case_id for case_id in self.ids if isinstance(case_id, int)]
        if not ids:
            return {}
        self.env["hotline.case.log"].flush_model(["case_id", "action", "unit_id", "date"])
        return dict(self.env.execute_query(SQL(
            "SELECT c.id, %s FROM hotline_case c WHERE c.id = ANY(%s)", self._holder_sql(SQL("c.id")), ids)))

    def _held_by_user(self):
        """The cases of `self` that one of the current user's units holds now."""
        units = set(self.env.user.sudo().hotline_unit_ids.ids)
        holders = self._holding_units() if units else {}
        return self.filtered(lambda case: holders.get(case.id) in units)

    def _unfollow_former_units(self):
        """Members of the units that no longer hold the case stop following it, so no mail tells them what the
        next unit does; center staff keep following what they follow."""
        holders = self._holding_units()
        for case in self.sudo():
            holder = case.env["hotline.unit"].browse(holders.get(case.id) or [])
            former = (case.handled_unit_ids - holder).member_ids - holder.member_ids
            partners = former.filtered(lambda user: not user.has_group(CENTER_GROUP)).partner_id
            partners &= case.message_partner_ids
            if partners:
                case.message_unsubscribe(partner_ids=partners.ids)

    @api.depends("category_id", "district_id")
    def _compute_suggested_unit_id(self):
        rules = self.env["hotline.routing.rule"]
        for case in self:
            case.suggested_unit_id = rules._find_unit(case.category_id, case.district_id)

    @api.depends("unit_id")
    @api.depends_context("uid")
    def _compute_is_unit_member(self):
        for case in self:
            case.is_unit_member = self.env.user in case.sudo().unit_id.member_ids

    @api.model
    def _duplicate_window_days(self):
        return self.env.company.hotline_duplicate_window_days

    @api.depends("partner_id", "caller_phone", "category_id", "street_id", "address", "date_received")
    def _compute_duplicate_case_ids(self):
        days = self._duplicate_window_days()
        for case in self:
            sudo_case = case.sudo()
            alternatives = []
            if sudo_case.partner_id:
                alternatives.append(Domain("partner_id", "=", sudo_case.partner_id.id))
            elif sudo_case.caller_phone:
                alternatives.append(Domain("caller_phone", "=", sudo_case.caller_phone))
            if case.category_id and case.street_id:
                alternatives.append(Domain("category_id", "=", case.category_id.id)
                                    & Domain("street_id", "=", case.street_id.id))
            elif case.category_id and case.address:
                alternatives.append(Domain("category_id", "=", case.category_id.id)
                                    & Domain("address", "=", case.address.strip()))
            duplicates = self.browse()
            if alternatives and days:
                reference = case.date_received or fields.Datetime.now()
                domain = Domain.OR(alternatives) & Domain([
                    ("id", "!=", case._origin.id or 0),
                    ("state", "!=", "cancelled"),
                    ("date_received", ">=", reference - timedelta(days=days)),
                    ("date_received", "<=", reference + timedelta(days=days)),
                ])
                # sudo: the field is the center's, which sees all cases anyway
                duplicates = self.sudo().search(domain, limit=20).sudo(False)
            case.duplicate_case_ids = duplicates
            case.duplicate_count = len(duplicates)

    @api.model
    def _near_deadline_hours(self):
        return self.env.company.hotline_near_deadline_hours

    @api.depends("state", "deadline", "sign_deadline", "date_dispatched")
    def _compute_deadline_flags(self):
        now = fields.Datetime.now()
        near = now + timedelta(hours=self._near_deadline_hours())
        for case in self:
            limits = []
            if case.state in OPEN_STATES and case.deadline:
                limits.append(case.deadline)
            if case.state == "dispatched" and case.sign_deadline:
                limits.append(case.sign_deadline)
            case.overdue = any(limit < now for limit in limits)
            case.near_deadline = not case.overdue and any(case._is_near(limit, now, near) for limit in limits)

    def _is_near(self, limit, now, near):
        """`limit` is within the warning window and, so that a time limit shorter than the window is not
        near at once, in the second half of the time since dispatch (the same rule as _near_deadline_domain)."""
        self.ensure_one()
        return now <= limit <= near and (
            not self.date_dispatched or limit - now <= (limit - self.date_dispatched) / 2)

    @api.model
    def _overdue_domain(self):
        now = fields.Datetime.now()
        return Domain.OR([
            [("state", "in", OPEN_STATES), ("deadline", "<", now)],
            [("state", "=", "dispatched"), ("sign_deadline", "<", now)],
        ])

    @api.model
    def _second_half_domain(self, limit_field, now):
        """Half of the time from dispatch to `limit_field` has passed (`limit - now <= (limit - dispatch) / 2`)."""
        def to_sql(model, alias, query):
            limit = SQL.identifier(alias, limit_field)
            dispatched = SQL.identifier(alias, "date_dispatched")
            return SQL("(%s IS NULL OR %s - %s <= (%s - %s) / 2)", dispatched, limit, now, limit, dispatched)
        return Domain.custom(to_sql=to_sql)

    @api.model
    def _near_deadline_domain(self):
        now = fields.Datetime.now()
        near = now + timedelta(hours=self._near_deadline_hours())
        return Domain.OR([
            Domain([("state", "in", OPEN_STATES), ("deadline", ">=", now), ("deadline", "<=", near)])
            & self._second_half_domain("deadline", now),
            Domain([("state", "=", "dispatched"), ("sign_deadline", ">=", now), ("sign_deadline", "<=", near)])
            & self._second_half_domain("sign_deadline", now),
        ]) & ~self._overdue_domain()

    def _search_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        positive = (operator == "in") == (True in value)
        return self._overdue_domain() if positive else ~self._overdue_domain()

    def _search_near_deadline(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        positive = (operator == "in") == (True in value)
        return self._near_deadline_domain() if positive else ~self._near_deadline_domain()

    @api.model
    def _search(self, domain, *args, **kwargs):
        # a number typed with spaces or without its dash finds the normalised numbers stored
        domain = Domain(domain).map_conditions(self._phone_search_condition)
        if self._unit_restricted() and not kwargs.get("bypass_access"):
            # a unit finds cases by what their holder wrote only where it is the holder (no guessing it letter
            # by letter on a case it handed over)
            domain = domain.map_conditions(self._holder_field_condition)
        return super()._search(domain, *args, **kwargs)

    @api.model
    def _holder_field_condition(self, condition):
        if condition.field_expr.split(".")[0] not in HOLDER_FIELDS:
            return condition
        units = self.env.user.sudo().hotline_unit_ids.ids

        def to_sql(model, alias, query):
            holder = model._holder_sql(SQL.identifier(alias, "id"))
            return SQL("COALESCE(%s = ANY(%s), FALSE)", holder, units)
        return condition & Domain.custom(to_sql=to_sql)

    def _unit_restricted(self):
        """The current user reads cases as a unit (not the center, not the superuser)."""
        return not self.env.su and not self.env.user.has_group(CENTER_GROUP)

    def _read_format(self, fnames, load="_classic_read"):
        # read, search_read and web_read all format their values here
        result = super()._read_format(fnames, load)
        masked = HOLDER_FIELDS.intersection(result[0]) if result and self._unit_restricted() else ()
        if masked:
            held = set(self.browse([values["id"] for values in result])._held_by_user().ids)
            blank = {name: [] if self._fields[name].type == "many2many" else False for name in masked}
            for values in result:
                if values["id"] not in held:
                    values.update(blank)
        return result

    @api.model
    def _phone_search_condition(self, condition):
        if (condition.field_expr == "caller_phone" and isinstance(condition.value, str)
                and condition.operator in ("=", "!=", "ilike", "not ilike", "like", "not like")):
            term = self.env.company._hotline_phone_search_term(condition.value)
            return Domain("caller_phone", condition.operator, term)
        return condition

    # ------------------------------------------------------------------
    # Onchanges
    # ------------------------------------------------------------------
    @api.onchange("caller_phone")
    def _onchange_caller_phone(self):
        if not self.caller_phone:
            return None
        try:
            self.caller_phone = self.env.company._hotline_normalize_phone(self.caller_phone)
        except UserError as error:
            return {"warning": {"title": self.env._("Invalid phone number"), "message": str(error)}}
        partner = self.env["res.partner"].sudo()._hotline_find_by_phone(self.caller_phone)[:1]
        if partner:
            self.partner_id = partner
            self.caller_name = self.caller_name or partner.name
            self._fill_caller_location(partner)
        return None

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        partner = self.partner_id
        if partner:
            self.caller_name = partner.name
            self._fill_caller_location(partner)
            if not self.caller_phone and partner.hotline_phone_norm:
                self.caller_phone = partner.hotline_phone_norm

    def _fill_caller_location(self, partner):
        """Fill in what is empty of the caller's known address: the address of the contact, and the district
        and street of the caller's latest case at that address (the caller's latest case if the contact has none).
        """
        self.address = self.address or partner.street
        if self.district_id or self.street_id:
            return
        domain = Domain("partner_id", "=", partner.id) & Domain("district_id", "!=", False)
        if self._origin.id:
            domain &= Domain("id", "!=", self._origin.id)
        previous = self.search(domain & Domain("address", "=", self.address), limit=1) if self.address else None
        if not previous and (not self.address or self.address == partner.street):
            previous = self.search(domain, limit=1)
        if previous:
            self.district_id = previous.district_id
            self.street_id = previous.street_id

    @api.onchange("category_id", "district_id")
    def _onchange_suggested_unit(self):
        if self.suggested_unit_id and self.state in ("draft", "pool"):
            self.unit_id = self.suggested_unit_id

    @api.onchange("street_id")
    def _onchange_street_id(self):
        if self.street_id:
            self.district_id = self.street_id.district_id

    @api.onchange("district_id")
    def _onchange_district_id(self):
        if self.street_id and self.district_id and self.street_id.district_id != self.district_id:
            self.street_id = False

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # copies: a request retried after a serialization failure calls create again with the same
        # dictionaries, which must not carry a caller or number from the attempt rolled back
        vals_list = [dict(vals) for vals in vals_list]
        for vals in vals_list:
            self._check_workflow_vals(vals, creating=True)
            if vals.get("caller_phone"):
                vals["caller_phone"] = self.env.company._hotline_normalize_phone(vals["caller_phone"])
            if not vals.get("name") or vals["name"] == "/":
                received = fields.Datetime.to_datetime(vals.get("date_received")) or fields.Datetime.now()
                vals["name"] = self._next_case_number(received)
            self._link_caller_partner(vals)
        return super().create(vals_list)

    @api.model
    def _next_case_number(self, received):
        """12319-YYYYMMDD-NNNN: the center's local date of reception, with a counter restarting every day.

        Each day has its own range of the sequence (its own PostgreSQL sequence, so concurrent intakes
        never wait on each other), made ahead by a scheduled job (_prepare_case_numbers). A day without one
        (a call recorded days later) makes it with its first case.
        """
        sequence = self.env.ref("hotline_case.seq_hotline_case").sudo()
        day = self.env.company._hotline_local_day(received)
        day_range = self._day_range(sequence, day)
        return day_range.with_context(ir_sequence_date=day, ir_sequence_date_range=day)._next()

    @api.model
    def _day_range(self, sequence, day):
        """The day's range of the sequence, made if missing: the update of the sequence's row makes a
        concurrent maker of a range fail to serialize, and the server retries it, so it then finds the
        range instead of creating a second one."""
        DateRange = self.env["ir.sequence.date_range"].sudo()
        day_range = DateRange.search([
            ("sequence_id", "=", sequence.id), ("date_from", "=", day), ("date_to", "=", day),
        ], limit=1)
        if not day_range:
            self.env.cr.execute("UPDATE ir_sequence SET write_date = now() WHERE id = %s", [sequence.id])
            day_range = DateRange.create({"sequence_id": sequence.id, "date_from": day, "date_to": day})
        return day_range

    @api.model
    def _prepare_case_numbers(self, days=None):
        """The job (every 6 hours): make the counters of `days` (default: the center's today and tomorrow)
        before their first case, so that the first cases of a day, arriving together, only draw numbers
        (20 at once otherwise: 19 serialization failures, retried)."""
        sequence = self.env.ref("hotline_case.seq_hotline_case").sudo()
        if days is None:
            today = self.env.company._hotline_local_day()
            days = [today, today + timedelta(days=1)]
        for day in days:
            self._day_range(sequence, day)

    @api.model
    def _renumber_by_reception(self):
        """Number every case again by the day it was received, and the texts that quote the numbers.

        For the demo data, whose cases run through the workflow today and are dated back afterwards.
        """
        sequence = self.env.ref("hotline_case.seq_hotline_case").sudo()
        self.env["ir.sequence.date_range"].sudo().search([("sequence_id", "=", sequence.id)]).unlink()
        cases = self.sudo().with_context(active_test=False).search([], order="date_received, id")  # pylint: disable=no-search-all
        names = {case.name: case._next_case_number(case.date_received) for case in cases}
        number = re.compile(r"12319-\d{8}-\d{4,}")

        def renamed(text):
            return number.sub(lambda match: names.get(match.group(0), match.group(0)), text)
        for case in cases:
            self.env.cr.execute("UPDATE hotline_case SET name = %s WHERE id = %s", [names[case.name], case.id])
        for table, column in (("mail_message", "body"), ("hotline_case_log", "note"),
                              ("hotline_case", "cancel_reason"), ("mail_activity", "summary"),
                              ("mail_activity", "note")):
            self.env.cr.execute(SQL("SELECT id, %s FROM %s WHERE %s LIKE '%%12319-%%'",
                                    SQL.identifier(column), SQL.identifier(table), SQL.identifier(column)))
            for row_id, text in self.env.cr.fetchall():
                self.env.cr.execute(SQL("UPDATE %s SET %s = %s WHERE id = %s", SQL.identifier(table),
                                        SQL.identifier(column), renamed(text), row_id))
        self.env.invalidate_all()

    @api.model
    def _link_caller_partner(self, vals):
        """Find (or create) the caller's contact so that the next call is recognised."""
        if vals.get("partner_id") or not vals.get("caller_phone"):
            return
        partners = self.env["res.partner"].sudo()
        partner = partners._hotline_find_by_phone(vals["caller_phone"])[:1]
        if not partner and vals.get("caller_name"):
            partner = partners.create({"name": vals["caller_name"], "phone": vals["caller_phone"],
                                       "street": vals.get("address")})
        if partner:
            vals["partner_id"] = partner.id
            if not vals.get("caller_name"):
                vals["caller_name"] = partner.name

    def _check_workflow_vals(self, vals, creating=False):
        """Workflow fields change only through transitions, whatever a client sends (context included)."""
        if self.env.su or _IN_TRANSITION.get():
            return
        initial = {"state": "draft", "extension_state": "none"}
        locked = [
            name for name in WORKFLOW_FIELDS.intersection(vals)
            if not creating or (vals[name] and vals[name] != initial.get(name))
        ]
        if not creating and "unit_id" in vals and any(case.state not in ("draft", "pool") for case in self):
            if not locked:  # a dispatcher beaten to the case by another: say what it has become
                self._check_state(("draft", "pool"), self.env._("given a unit"))
            locked.append("unit_id")
        if locked:
            labels = sorted(self._fields[name].get_description(self.env, ["string"])["string"] for name in locked)
            raise UserError(self.env._(
                "These fields of a case change only through its workflow buttons: %(fields)s.",
                fields=", ".join(labels),
            ))
        if not creating and EXTENSION_FIELDS.intersection(vals) and any(
            case.extension_state == "requested" for case in self
        ):
            raise UserError(self.env._("An extension request cannot be changed once made: wait for the decision."))

    def write(self, vals):
        if not self.env.su:
            if not self.env.user.has_group(CENTER_GROUP):
                forbidden = set(vals) - UNIT_WRITABLE_FIELDS
                if forbidden:
                    raise AccessError(self.env._(
                        "Units can only fill in their result, return reason and extension request."))
        self._check_workflow_vals(vals)
        if vals.get("caller_phone"):
            vals["caller_phone"] = self.env.company._hotline_normalize_phone(vals["caller_phone"])
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft_or_cancelled(self):
        if any(case.state not in ("draft", "cancelled") for case in self):
            raise UserError(self.env._("Only cases being recorded or cancelled can be deleted."))

    def unlink(self):
        # the log is immutable for users; it goes with its case
        self.sudo().log_ids.unlink()
        return super().unlink()

    def _mail_get_operation_for_mail_message_operation(self, message_operation):
        # Reading a case is enough to post on it (_mail_post_access) for the center and for the unit holding it. A
        # unit that no longer holds it would need to write the case, which it never may: /mail/message/post, uploads
        # and mail's follower rule refuse it as well as the record rules (hotline_security.xml).
        result = super()._mail_get_operation_for_mail_message_operation(message_operation)
        if message_operation == "create" and not self.env.user.has_group(CENTER_GROUP):
            for case in self - self._held_by_user():
                result[case] = "write"
        return result

    def message_post(self, **kwargs):
        # the record rules refuse it anyway (rule_message_unit_write): said here in the unit's words
        if self._unit_restricted() and not self._held_by_user():
            raise AccessError(self.env._(
                "Case %s is no longer with your unit: you can read what your unit did and received on it, "
                "but no longer write on it.", self.sudo().name))
        return super().message_post(**kwargs)

    def _mail_get_partner_fields(self, introspect_fields=False):
        # the caller is hidden from units: never offer it as a recipient to them
        if not self.env.user.has_group(CENTER_GROUP):
            return []
        return super()._mail_get_partner_fields(introspect_fields=introspect_fields)

    # ------------------------------------------------------------------
    # Workflow helpers
    # ------------------------------------------------------------------
    def _check_group(self, xmlid, action_label):
        if not self.env.su and not self.env.user.has_group(xmlid):
            raise AccessError(self.env._("You are not allowed to %(action)s cases.", action=action_label))

    def _check_state(self, states, action_label):
        labels = dict(self._fields["state"]._description_selection(self.env))
        # sudo: membership or role is checked first; portal members may not read every field
        for case in self.sudo():
            if case.state not in states:
                raise UserError(self.env._(
                    "Case %(case)s cannot be %(action)s: it is “%(state)s”.",
                    case=case.name, action=action_label, state=labels[case.state],
                ))

    def _check_unit_member(self, action_label):
        """Unit members (portal or internal) act on their unit's cases; managers may act for them."""
        if self.env.su or self.env.user.has_group("hotline_case.group_manager"):
            return
        for case in self:
            if self.env.user not in case.sudo().unit_id.member_ids:
                raise AccessError(self.env._(
                    "Only members of the unit in charge can %(action)s case %(case)s.",
                    action=action_label, case=case.sudo().name,
                ))

    def _require(self, value, message):
        if not value or (isinstance(value, str) and not value.strip()):
            raise UserError(message)

    # ------------------------------------------------------------------
    # Limits of the unit's steps: one definition for the portal, the back office and the unit server
    # ------------------------------------------------------------------
    @api.model
    def _result_file_limits(self):
        """The limits of a result's files and their messages; the portal's form hands them to the browser, which
        refuses before sending megabytes ("%s" in too_big is left for the file's name)."""
        return {
            "max_files": MAX_RESULT_FILES,
            "max_file_bytes": MAX_RESULT_FILE_BYTES,
            "max_total_bytes": MAX_RESULT_BYTES,
            "accept": ",".join(f".{ext}" for extensions in RESULT_FILE_TYPES.values() for ext in extensions),
            "too_many": self.env._("Attach at most %s files.", MAX_RESULT_FILES),
            "too_big": self.env._("The file “%(name)s” is larger than %(limit)s MB.",
                                  name="%s", limit=MAX_RESULT_FILE_BYTES // MEGABYTE),
            "too_much": self.env._("The files together are larger than %s MB: send fewer or smaller files.",
                                   MAX_RESULT_BYTES // MEGABYTE),
        }

    @api.model
    def _check_result_sizes(self, sizes):
        """[(file name, bytes)] of a result within its limits, else UserError (before any file is read)."""
        limits = self._result_file_limits()
        if len(sizes) > MAX_RESULT_FILES:
            raise UserError(limits["too_many"])
        for name, size in sizes:
            if size > MAX_RESULT_FILE_BYTES:
                raise UserError(limits["too_big"] % name)
        if sum(size for _name, size in sizes) > MAX_RESULT_BYTES:
            raise UserError(limits["too_much"])

    @api.model
    def _result_file_type(self, name, raw):
        """The type of a result's file, read from its content: one a result may have, and the name's extension
        one of that type's (a photo named setup.exe is refused too), else UserError."""
        mimetype = guess_mimetype(raw or b"", default="application/octet-stream")
        extension = os.path.splitext(name or "")[1][1:].lower()
        if extension not in RESULT_FILE_TYPES.get(mimetype, ()):
            raise UserError(self.env._(
                "The file “%(name)s” cannot go with a result: only photos, PDF and office documents are accepted "
                "(%(types)s).", name=name, types=self._result_file_limits()["accept"]))
        return mimetype

    def _check_result_files(self, attachments):
        """A result's files: within the limits, each of a type a result may have, stored (and served) as the
        type its content is, whatever the sender called it."""
        attachments = attachments.sudo()
        self._check_result_sizes([(attachment.name, attachment.file_size) for attachment in attachments])
        for attachment in attachments:
            mimetype = self._result_file_type(attachment.name, attachment.raw)
            if attachment.mimetype != mimetype:
                attachment.mimetype = mimetype

    def _missing_for(self, action):
        """Labels of what `action` needs and the case lacks: a unit must be able to act on what it receives."""
        self.ensure_one()

        def label(name):
            return self._fields[name]._description_string(self.env)

        def blank(value):
            return not value or (isinstance(value, str) and not value.strip())

        missing = [label(name) for name in ("type_id", "category_id") if blank(self[name])]
        if action != "close_on_call" and blank(self.address) and not self.street_id:
            missing.append(self.env._("%(address)s or %(street)s", address=label("address"),
                                      street=label("street_id")))
        if blank(self.description):
            missing.append(label("description"))
        if action in ("self_dispatch", "dispatch") and not self.unit_id:
            missing.append(label("unit_id"))
        if action == "close_on_call" and blank(self.resolution_note):
            missing.append(label("resolution_note"))
        return missing

    def _check_complete(self, action):
        """Refuse the step, before anything is written, naming every field still to fill in."""
        for case in self:
            missing = case._missing_for(action)
            if missing:
                raise UserError(self.env._(
                    "Case %(case)s cannot go on yet, fill in: %(fields)s.",
                    case=case.name, fields=", ".join(missing),
                ))

    def _transition(self, action, to_state, vals=None, note=None, now=None, log_vals=None):
        """Write the new state (and values) and log the step for each case: every line of the log is written
        here, so an addon that follows the steps (the exchange, the platform, the board) overrides this.

        `now`: the step's time, when `vals` also date the case with it (one instant for the case and its log).
        `log_vals`: values of the log lines themselves (the unit a ruling is about, not the case's current one).
        """
        now = now or fields.Datetime.now()
        logs = []
        for case in self:
            case_vals = dict(vals or {})
            if to_state:
                case_vals["state"] = to_state
            logs.append({
                "case_id": case.id,
                "action": action,
                "from_state": case.state,
                "to_state": to_state or case.state,
                "user_id": self.env.uid,
                # the unit holding the case at this step (the new one on dispatch, the old one on return)
                "unit_id": case_vals.get("unit_id") or case.unit_id.id or False,
                "date": now,
                "note": note,
                "sign_deadline": case_vals.get("sign_deadline") or False,
                "deadline": case_vals.get("deadline") or False,
                **(log_vals or {}),
            })
            with _transition_writes():
                case.write(case_vals)
        self.env["hotline.case.log"].sudo().create(logs)
        # the units' record rules read handled_unit_ids in SQL, where a pending recomputation is not flushed
        self.flush_recordset(["handled_unit_ids"])
        if action in HOLDING_ACTIONS:
            self._unfollow_former_units()
        return True

    # ------------------------------------------------------------------
    # Deadlines
    # ------------------------------------------------------------------
    def _calendar(self):
        return self.env.company.resource_calendar_id or self.env.ref(
            "resource.resource_calendar_std", raise_if_not_found=False,
        )

    def _add_working_days(self, days, start):
        """End of the `days`-th working day after the day of `start` (time limits run from the next day).

        Working days and their end follow the company's calendar, public holidays (global leaves) excluded.
        """
        calendar = self._calendar()
        if not calendar or days <= 0:
            return start + timedelta(days=max(days, 0))
        tz = pytz.timezone(calendar.tz or "UTC")
        local_day = pytz.utc.localize(start).astimezone(tz).date() + timedelta(days=1)
        window_start = tz.localize(datetime.combine(local_day, time.min))
        counted = 0
        for _chunk in range(60):
            window_end = window_start + timedelta(days=14)
            day_ends = {}
            for _start, stop, _meta in calendar._work_intervals_batch(window_start, window_end)[False]:
                day = stop.astimezone(tz).date()
                day_ends[day] = max(day_ends.get(day, stop), stop)
            for day in sorted(day_ends):
                counted += 1
                if counted == days:
                    return day_ends[day].astimezone(pytz.utc).replace(tzinfo=None)
            window_start = window_end
        return start + timedelta(days=days)

    def _add_working_hours(self, hours, start):
        calendar = self._calendar()
        if not calendar or not hours:
            return start + timedelta(hours=hours)
        end = calendar.plan_hours(hours, pytz.utc.localize(start), compute_leaves=True)
        return end.astimezone(pytz.utc).replace(tzinfo=None) if end else start + timedelta(hours=hours)

    def _compute_deadlines(self, start):
        """Sign-for and finish deadlines from the most specific deadline rule."""
        self.ensure_one()
        rule = self.env["hotline.deadline.rule"]._find_rule(self.type_id, self.category_id, self.urgency)
        if not rule:
            return {"sign_deadline": False, "deadline": False}
        if rule.finish_unit == "hours":
            deadline = start + timedelta(hours=rule.finish_amount)
        else:
            deadline = self._add_working_days(int(round(rule.finish_amount)) or 1, start)
        sign_deadline = self._add_working_hours(rule.sign_hours, start) if rule.sign_hours else False
        if sign_deadline and sign_deadline > deadline:
            sign_deadline = deadline
        return {"sign_deadline": sign_deadline, "deadline": deadline}

    # ------------------------------------------------------------------
    # Transitions: intake (agent)
    # ------------------------------------------------------------------
    def action_close_on_call(self):
        """处理完毕: the agent answered the citizen on the call."""
        self._check_group(CENTER_GROUP, self.env._("close"))
        self._check_state(("draft",), self.env._("closed on the call"))
        self._check_complete("close_on_call")
        now = fields.Datetime.now()
        return self._transition("close_on_call", "closed", {"date_closed": now},
                                note=self[:1].resolution_note if len(self) == 1 else None, now=now)

    def action_transfer(self):
        """转调度: send the case to the dispatch pool."""
        self._check_group(CENTER_GROUP, self.env._("transfer"))
        self._check_state(("draft",), self.env._("transferred to dispatch"))
        self._check_complete("transfer")
        return self._transition("transfer", "pool")

    def action_self_dispatch(self):
        """自调度: the agent sends the case straight to the unit."""
        self._check_group(CENTER_GROUP, self.env._("dispatch"))
        self._check_state(("draft",), self.env._("dispatched"))
        return self._dispatch("self_dispatch")

    def action_dispatch(self):
        """分理/下发 from the pool (dispatcher)."""
        self._check_group("hotline_case.group_dispatcher", self.env._("dispatch"))
        self._check_state(("pool",), self.env._("dispatched"))
        return self._dispatch("dispatch")

    def _dispatch(self, action):
        self._check_complete(action)
        now = fields.Datetime.now()
        for case in self:
            vals = {"date_dispatched": now, "dispatcher_id": self.env.uid, **case._compute_deadlines(now)}
            kept = case._keeps_extended_deadline(vals["deadline"])
            if kept:
                vals["deadline"] = case.deadline
            else:
                vals["extension_state"] = "none"
            case._transition(action, "dispatched", vals, now=now)
            if kept:
                message = self.env._(
                    "Case %(case)s has been dispatched to your unit again; the extension approved before is kept: "
                    "deadline %(deadline)s.", case=case.name, deadline=case._local_time(case.deadline))
            elif case.deadline:
                message = self.env._("Case %(case)s has been dispatched to your unit, deadline %(deadline)s.",
                                     case=case.name, deadline=case._local_time(case.deadline))
            else:
                message = self.env._("Case %s has been dispatched to your unit.", case.name)
            case._notify_unit(action, message)
        return True

    def _keeps_extended_deadline(self, new_deadline):
        """Whether a re-dispatch keeps the deadline of an extension approved before.

        The extension was granted to the unit for the work itself: sent back to the same unit (after a
        rejected result, 退回重办), it keeps the extended deadline unless the new time limit ends later.
        Another unit starts with a fresh time limit, and so does a case its unit returned (退单 clears the
        deadline) or the caller reopened (重办 clears it as well).
        """
        self.ensure_one()
        if self.extension_state != "approved" or not self.deadline or not self.unit_id:
            return False
        last = self.sudo().log_ids.filtered(lambda log: log.action in ("dispatch", "self_dispatch"))[:1]
        if last.unit_id != self.unit_id:
            return False
        return not new_deadline or self.deadline > new_deadline

    def _local_time(self, value):
        """A UTC datetime shown in the center's time zone, for messages (no user's tz applies there)."""
        tz = self.env.company._hotline_tz()
        return pytz.utc.localize(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")

    def _notify_unit(self, kind, message):
        """Tell the members of the case's unit about a dispatch or an urging (`kind` is the log action).

        One hook for every message to a unit, so the portal can send its mail templates instead.
        """
        for case in self.sudo():
            members = case.unit_id.member_ids
            if members:
                case.message_post(body=message, partner_ids=members.partner_id.ids, subtype_xmlid="mail.mt_comment")
        return True

    # ------------------------------------------------------------------
    # Transitions: unit (portal or internal members, read access is enough)
    # ------------------------------------------------------------------
    def action_accept(self):
        """签收."""
        self._check_unit_member(self.env._("sign for"))
        self._check_state(("dispatched",), self.env._("signed for"))
        now = fields.Datetime.now()
        return self.sudo()._transition("accept", "processing", {"date_accepted": now}, now=now)

    def action_return(self, reason=None):
        """退单: the unit sends a wrongly dispatched case back to the pool."""
        self._check_unit_member(self.env._("return"))
        self._check_state(OPEN_STATES, self.env._("returned"))
        for case in self.sudo():
            case_reason = reason or case.return_reason
            case._require(case_reason, self.env._("Give the reason for returning case %s.", case.name))
            case._transition("return", "pool", {
                "return_reason": case_reason,
                "unit_id": False,
                "return_count": case.return_count + 1,
                "sign_deadline": False,
                "deadline": False,
            }, note=case_reason)
        return True

    def action_request_extension(self, days=None, reason=None):
        """延期申请, before the deadline."""
        self._check_unit_member(self.env._("request an extension for"))
        self._check_state(("processing",), self.env._("extended"))
        now = fields.Datetime.now()
        for case in self.sudo():
            case_days = days if days is not None else case.extension_days
            case_reason = reason or case.extension_reason
            if not isinstance(case_days, int) or isinstance(case_days, bool) \
                    or not 0 < case_days <= MAX_EXTENSION_DAYS:
                raise UserError(self.env._("Enter a number of working days between 1 and %s.", MAX_EXTENSION_DAYS))
            case._require(case_reason, self.env._("Give the reason for the extension."))
            if case.extension_state == "requested":
                raise UserError(self.env._("An extension of case %s is already waiting for approval.", case.name))
            if case.deadline and case.deadline < now:
                raise UserError(self.env._("The deadline of case %s has passed: an extension must be requested "
                                           "before the deadline.", case.name))
            case._transition("request_extension", None, {
                "extension_days": case_days, "extension_reason": case_reason, "extension_state": "requested",
            }, note=self.env._("%(days)s working days: %(reason)s", days=case_days, reason=case_reason))
        return True

    def action_submit(self, note=None, attachment_ids=None, result=None):
        """The unit submits its result for review, with its 办理结果 (`result`, else the one on the case)."""
        self._check_unit_member(self.env._("submit"))
        self._check_state(("processing",), self.env._("submitted"))
        if result and result not in dict(HANDLING_RESULT_SELECTION):
            raise UserError(self.env._("Unknown handling result: %s.", str(result)[:40]))
        for case in self.sudo():
            case_note = note or case.result_note
            case_result = result or case.handling_result
            case._require(case_note, self.env._("Describe the result of case %s first.", case.name))
            attachments = case._own_attachments(attachment_ids)
            case._check_result_files(attachments)
            now = fields.Datetime.now()
            case._transition("submit", "submitted", {
                "result_note": case_note, "date_submitted": now, "handling_result": case_result or False,
                # the files of this result, shown to the reviewer on the form
                "result_attachment_ids": [Command.set(attachments.ids)],
                # a new result waits for a new review: an earlier rejection stays in the log only
                "review_note": False,
            }, note=case_note, now=now, log_vals={"handling_result": case_result or False})
            case.message_post(
                body=self.env._("Result submitted: %s", case_note),
                attachment_ids=attachments.ids,
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _own_attachments(self, attachment_ids):
        """Attachments the current user uploaded himself (or on this case): never someone else's files.

        Without a list (the back-office form), the files the unit's members put on the case since it was
        dispatched to them (chatter uploads) are the result's files.
        """
        dispatch = self.sudo().log_ids.filtered(lambda log: log.action in ("dispatch", "self_dispatch"))[:1]
        if attachment_ids is None and dispatch:
            return self.env["ir.attachment"].sudo().search([
                ("res_model", "=", self._name), ("res_id", "=", self.id),
                ("create_uid", "in", self.unit_id.member_ids.ids), ("create_date", ">=", dispatch.create_date),
            ])
        if not attachment_ids:
            return self.env["ir.attachment"]
        attachments = self.env["ir.attachment"].sudo().browse(attachment_ids).exists()
        uid = self.env.uid
        return attachments.filtered(
            lambda a: a.create_uid.id == uid or (a.res_model == self._name and a.res_id == self.id)
        )

    # ------------------------------------------------------------------
    # Transitions: review (reviewer)
    # ------------------------------------------------------------------
    def action_approve_extension(self):
        self._check_group("hotline_case.group_reviewer", self.env._("approve extensions of"))
        for case in self:
            if case.extension_state != "requested":
                raise UserError(self.env._("Case %s has no extension request to decide.", case.name))
            start = case.deadline or fields.Datetime.now()
            case._transition("approve_extension", None, {
                "extension_state": "approved",
                "deadline": case._add_working_days(case.extension_days, start),
            }, note=case.extension_reason)
            case._notify_unit("approve_extension", self.env._(
                "The extension of case %(case)s is approved: the new deadline is %(deadline)s.",
                case=case.name, deadline=case._local_time(case.deadline)))
        return True

    def action_reject_extension(self, note=None):
        self._check_group("hotline_case.group_reviewer", self.env._("reject extensions of"))
        for case in self:
            if case.extension_state != "requested":
                raise UserError(self.env._("Case %s has no extension request to decide.", case.name))
            case._transition("reject_extension", None, {"extension_state": "rejected"}, note=note)
            case._notify_unit("reject_extension", self.env._(
                "The extension of case %(case)s is refused: the deadline stays %(deadline)s.",
                case=case.name, deadline=case._local_time(case.deadline) if case.deadline else "-"))
        return True

    def action_review_approve(self):
        self._check_group("hotline_case.group_reviewer", self.env._("review"))
        self._check_state(("submitted",), self.env._("approved"))
        # a new result to call back about: the attempts start again
        return self._transition("review_approve", "callback", {"callback_attempts": 0, "callback_outcome": False},
                                note=self[:1].review_note if len(self) == 1 else None)

    def action_review_reject(self, note=None):
        """再分理: the result is not acceptable, back to the pool."""
        self._check_group("hotline_case.group_reviewer", self.env._("review"))
        self._check_state(("submitted",), self.env._("rejected"))
        for case in self:
            case_note = note or case.review_note
            case._require(case_note, self.env._("Explain why the result of case %s is rejected.", case.name))
            case._transition("review_reject", "pool", {"review_note": case_note}, note=case_note)
        return True

    # ------------------------------------------------------------------
    # Transitions: callback (agent)
    # ------------------------------------------------------------------
    def action_callback_done(self, satisfaction=None, note=None):
        """回访 done: the citizen's satisfaction is recorded and the case closed."""
        self._check_group(CENTER_GROUP, self.env._("call back"))
        self._check_state(("callback",), self.env._("closed after the callback"))
        valid = dict(SATISFACTION_SELECTION)
        for case in self:
            case_satisfaction = satisfaction or case.satisfaction
            case_note = note or case.callback_note
            if case_satisfaction not in valid:
                raise UserError(self.env._("Record the caller's satisfaction first."))
            case._require(case_note, self.env._("Write down what the caller said on the callback."))
            now = fields.Datetime.now()
            case._transition("callback_done", "closed", {
                "satisfaction": case_satisfaction, "callback_note": case_note, "date_closed": now,
                "callback_outcome": "rated",
            }, note=case_note, now=now)
        return True

    def action_callback_attempt(self, note=None):
        """未接通: one callback attempt that did not reach the caller, logged with its time and agent."""
        self._check_group(CENTER_GROUP, self.env._("call back"))
        self._check_state(("callback",), self.env._("called back"))
        for case in self:
            attempts = case.callback_attempts + 1
            case._transition("callback_attempt", None, {"callback_attempts": attempts}, note=note or self.env._(
                "No answer (attempt %(attempt)s of %(max)s).", attempt=attempts, max=case._callback_max_attempts()))
        return True

    def action_callback_unreachable(self, note=None):
        """无法联系: after the configured number of attempts the case closes without an evaluation."""
        self._check_group(CENTER_GROUP, self.env._("call back"))
        self._check_state(("callback",), self.env._("closed as unreachable"))
        for case in self:
            needed = case._callback_max_attempts()
            if case.callback_attempts < needed:
                raise UserError(self.env._(
                    "Case %(case)s: the caller was tried %(done)s times; record %(needed)s unanswered attempts "
                    "before closing it as unreachable.", case=case.name, done=case.callback_attempts, needed=needed))
            now = fields.Datetime.now()
            case._transition("callback_unreachable", "closed", {
                "callback_outcome": "unreachable", "satisfaction": False, "date_closed": now,
                "callback_note": note or case.callback_note,
            }, note=note or self.env._("Caller unreachable after %s attempts.", case.callback_attempts), now=now)
        return True

    def action_callback_refused(self, note=None):
        """拒绝评价: the caller was reached but declined to rate; the case closes without an evaluation."""
        self._check_group(CENTER_GROUP, self.env._("call back"))
        self._check_state(("callback",), self.env._("closed as declined to rate"))
        for case in self:
            case_note = note or case.callback_note
            case._require(case_note, self.env._("Write down what the caller said on the callback."))
            now = fields.Datetime.now()
            case._transition("callback_refused", "closed", {
                "callback_outcome": "refused", "satisfaction": False, "callback_note": case_note, "date_closed": now,
            }, note=case_note, now=now)
        return True

    def action_reopen(self, note=None):
        """重办: the caller is not satisfied, the case goes back to the pool."""
        self._check_group(CENTER_GROUP, self.env._("reopen"))
        self._check_state(("callback",), self.env._("reopened"))
        for case in self:
            case_note = note or case.callback_note
            case._require(case_note, self.env._("Write down why the caller is not satisfied."))
            case._transition("reopen", "pool", {
                "callback_note": case_note, "reopen_count": case.reopen_count + 1, "extension_state": "none",
                "sign_deadline": False, "deadline": False,
            }, note=case_note)
        return True

    # ------------------------------------------------------------------
    # Cancel, merge, urge
    # ------------------------------------------------------------------
    def action_cancel(self, reason=None):
        """作废: invalid call. Agents cancel their draft cases; dispatchers any open case."""
        self._check_group(CENTER_GROUP, self.env._("cancel"))
        self._check_state(("draft", "pool", "dispatched", "processing", "submitted", "callback"),
                          self.env._("cancelled"))
        if any(case.state != "draft" for case in self):
            self._check_group("hotline_case.group_dispatcher", self.env._("cancel dispatched"))
        for case in self:
            case_reason = reason or case.cancel_reason
            case._require(case_reason, self.env._("Give the reason for cancelling case %s.", case.name))
            now = fields.Datetime.now()
            case._transition("cancel", "cancelled", {
                "cancel_reason": case_reason, "date_closed": now,
            }, note=case_reason, now=now)
        return True

    def action_merge(self, target):
        """Merge duplicates into `target`: they are cancelled and linked, the main case carries on."""
        self._check_group(CENTER_GROUP, self.env._("merge"))
        if isinstance(target, int):
            target = self.browse(target)
        target.ensure_one()
        if target in self:
            raise UserError(self.env._("A case cannot be merged into itself."))
        if target.state in ("closed", "cancelled"):
            raise UserError(self.env._("Case %s is finished: choose an open case to merge into.", target.name))
        self._check_state(("draft", "pool", "dispatched", "processing"), self.env._("merged"))
        if any(case.state != "draft" for case in self):
            self._check_group("hotline_case.group_dispatcher", self.env._("merge dispatched"))
        for case in self:
            reason = self.env._("Duplicate of case %s.", target.name)
            now = fields.Datetime.now()
            case._transition("merge", "cancelled", {
                "merged_into_id": target.id, "cancel_reason": reason, "date_closed": now,
            }, note=reason, now=now)
            # no caller data in the message: units read the main case
            target.message_post(
                body=self.env._("Case %(case)s was merged into this case; its caller is answered through this case.",
                                case=case.name),
                subtype_xmlid="mail.mt_note",
            )
            target._transition("merge_in", None, note=case.name)
        return True

    def action_open_merge_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Merge Duplicate"),
            "res_model": "hotline.case.merge.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id},
        }

    def action_urge(self, note=None):
        """督办: a supervisor urges the unit by hand."""
        self._check_group("hotline_case.group_reviewer", self.env._("urge"))
        self._check_state(OPEN_STATES, self.env._("urged"))
        self._urge(note or self.env._("Supervisor's urging (督办): please handle this case without delay."),
                   "urge")
        return True

    def _urge(self, message, action):
        now = fields.Datetime.now()
        activity_type = self.env.ref("hotline_case.mail_activity_type_urge", raise_if_not_found=False)
        for case in self.sudo():
            members = case.unit_id.member_ids
            case._notify_unit(action, message)
            for user in members.filtered(lambda u: not u.share):
                case.activity_schedule(
                    activity_type_id=activity_type.id if activity_type else None,
                    summary=self.env._("Urged: %s", case.name),
                    note=message,
                    user_id=user.id,
                    date_deadline=fields.Date.context_today(case),
                )
            case._transition(action, None, {"urge_count": case.urge_count + 1, "last_urge_date": now}, note=message)

    @api.model
    def _cron_urge_cases(self):
        """催办: urge the units of the cases near or past their deadline, at most once a day per case.

        Agents and units keep writing these cases while the job runs: run as the scheduled job, it commits
        every URGE_BATCH cases (a short transaction, a fresh snapshot), and a case someone changed meanwhile
        is left for the next run rather than failing the whole job (a serialization failure)."""
        cases = self.sudo().search(self._auto_urge_domain(), limit=500)
        in_job = bool(self.env.context.get("ir_cron_progress_id"))
        left = len(cases)
        for start in range(0, len(cases), URGE_BATCH):
            batch = cases[start:start + URGE_BATCH]
            for case in batch:
                try:
                    with self.env.cr.savepoint():
                        case._urge_for_deadline()
                except psycopg2.errors.SerializationFailure:
                    # changed by a user since this transaction began: the savepoint undid this case alone
                    self.env.invalidate_all()
                    _logger.info("Case %s changed while it was being urged: left for the next run.", case.name)
            left -= len(batch)
            if in_job and self.env["ir.cron"]._commit_progress(len(batch), remaining=left) <= 0:
                break  # the job's time is up: the rest are still due, the next run takes them
        return True

    def _urge_for_deadline(self):
        """The urging job's reminder of one case, written in its unit's language."""
        self.ensure_one()
        # the job runs as OdooBot, in English: the reminder is written in the unit's language
        case = self.with_context(lang=self._unit_lang())
        if case.overdue:
            message = case.env._("Case %s is past its deadline: please handle it at once.", case.name)
        else:
            message = case.env._("Case %s is close to its deadline.", case.name)
        case._urge(message, "auto_urge")

    @api.model
    def _auto_urge_domain(self):
        """The cases the urging job reminds: near or past a time limit, not urged within the last day."""
        since = fields.Datetime.now() - timedelta(days=1)
        return (self._overdue_domain() | self._near_deadline_domain()) & Domain.OR([
            [("last_urge_date", "=", False)], [("last_urge_date", "<", since)],
        ])

    def _unit_lang(self):
        """The language most members of the case's unit work in, else the center's."""
        self.ensure_one()
        langs = self.sudo().unit_id.member_ids.mapped("lang")
        if langs:
            return max(sorted(set(langs)), key=langs.count)
        return self.env.company.partner_id.lang or self.env.lang
