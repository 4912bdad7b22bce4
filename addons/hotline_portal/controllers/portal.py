import base64
import os
from datetime import date, datetime, time, timedelta

from odoo import fields, http
from odoo.addons.hotline_case.models.hotline_case import MAX_EXTENSION_DAYS, MAX_RESULT_BYTES, MEGABYTE, OPEN_STATES
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.fields import Domain
from odoo.http import request
from odoo.tools import plaintext2html

CASE_URL = "/my/hotline/cases"
PAGE_SIZE = 20
# The result's files have hotline_case's limits (action_submit checks them, whoever submits): the browser
# checks them before sending (data-* of the form), and the external proxy's client_max_body_size equals
# MAX_REQUEST_BYTES (the allow-list test compares them): the largest accepted result plus room for the typed
# text and the multipart envelope.
MAX_REQUEST_BYTES = MAX_RESULT_BYTES + MEGABYTE
# The search box looks for a number, an address or a phrase: longer input is cut, not an error.
MAX_SEARCH_LENGTH = 100
# ids are PostgreSQL integers: anything larger is not an id
MAX_ID = 2**31 - 1
FLASH_KEY = "hotline_portal_flash"
# Counting stops here ("10000+"), like the backend lists: an exact count of 100,000 cases costs more than the
# page itself, and nobody pages past 500 pages of 20.
COUNT_LIMIT = 10000


class HotlinePortal(CustomerPortal):
    """Unit portal: the cases of the user's units, and the unit-side workflow steps.

    Every step calls the hotline.case workflow method as the portal user (the method checks membership
    and state, then writes with sudo); this controller only checks read access first and reports errors.
    """

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _hotline_units(self):
        # the user's own unit list: reading it with sudo discloses nothing to him
        return request.env.user.sudo().hotline_unit_ids

    def _hotline_domain(self):
        units = self._hotline_units()
        return Domain(request.env["hotline.case"]._portal_unit_domain(units))

    def _hotline_counters(self):
        """待签收 / 处理中 / 即将超期 / 已超期 for the user's units (record rules apply)."""
        Case = request.env["hotline.case"]
        units = self._hotline_units()
        if not units:
            return {}
        mine = Domain("unit_id", "in", units.ids)
        domains = {
            "dispatched": mine & Domain("state", "=", "dispatched"),
            "processing": mine & Domain("state", "=", "processing"),
            "near": mine & Domain("state", "in", OPEN_STATES) & Domain("near_deadline", "=", True),
            "overdue": mine & Domain("state", "in", OPEN_STATES) & Domain("overdue", "=", True),
        }
        counters = {}
        for key, domain in domains.items():
            count = Case.search_count(domain, limit=COUNT_LIMIT + 1)
            counters[key] = f"{COUNT_LIMIT}+" if count > COUNT_LIMIT else count
        return counters

    def _hotline_get_case(self, case_id):
        """The case as the current user, or AccessError/MissingError. No sudo before this check."""
        case = request.env["hotline.case"].browse(case_id)
        if not 0 < case_id <= MAX_ID or not case.exists():
            raise MissingError(request.env._("This case does not exist or you are not allowed to see it."))
        case.check_access("read")
        # center staff read every case; the portal only shows those of the user's units
        if not request.env["hotline.case"].search_count(Domain("id", "=", case.id) & self._hotline_domain()):
            raise AccessError(request.env._("This case does not exist or you are not allowed to see it."))
        return case

    def _hotline_denied(self, message=None):
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "hotline_case",
            "message": message or request.env._("This case does not exist or you are not allowed to see it."),
        })
        return request.render("hotline_portal.portal_hotline_denied", values, status=403)

    def _hotline_log_labels(self):
        # one source for the steps' labels: the log's own selection (hotline_case)
        return dict(request.env["hotline.case.log"]._fields["action"]._description_selection(request.env))

    def _hotline_flash(self, kind, message):
        request.session[FLASH_KEY] = {"kind": kind, "message": message}

    def _hotline_pop_flash(self):
        return request.session.pop(FLASH_KEY, None)

    # ------------------------------------------------------------------
    # Home counters
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "hotline_case_count" in counters:
            values["hotline_case_count"] = (
                request.env["hotline.case"].search_count(self._hotline_domain()) if self._hotline_units() else 0
            )
        return values

    @http.route()
    def home(self, **kw):
        # the counters are rendered server side: units often work on slow mobile networks
        response = super().home(**kw)
        if hasattr(response, "qcontext"):
            response.qcontext["hotline_counters"] = self._hotline_counters()
        return response

    # ------------------------------------------------------------------
    # List
    # ------------------------------------------------------------------
    def _hotline_searchbar_sortings(self):
        # `_` is bound to the request's env, i.e. the env translation the check asks for.
        # pylint: disable=prefer-env-translation
        _ = request.env._
        return {
            "date": {"label": _("Newest"), "order": "date_dispatched desc, id desc"},
            "deadline": {"label": _("Deadline"), "order": "deadline asc, id desc"},
            "urgency": {"label": _("Urgency"), "order": "urgency desc, date_dispatched desc, id desc"},
            "name": {"label": _("Number"), "order": "name desc"},
        }

    def _hotline_state_filters(self):
        # `_` is bound to the request's env, i.e. the env translation the check asks for.
        # pylint: disable=prefer-env-translation
        _ = request.env._
        return {
            "all": {"label": _("All"), "domain": Domain.TRUE},
            "dispatched": {"label": _("To Sign For"), "domain": Domain("state", "=", "dispatched")},
            "processing": {"label": _("Processing"), "domain": Domain("state", "=", "processing")},
            "submitted": {"label": _("To Review"), "domain": Domain("state", "=", "submitted")},
            "done": {"label": _("Finished"), "domain": Domain("state", "in", ["callback", "closed"])},
        }

    def _hotline_deadline_filters(self):
        # `_` is bound to the request's env, i.e. the env translation the check asks for.
        # pylint: disable=prefer-env-translation
        _ = request.env._
        return {
            "": {"label": _("Any deadline"), "domain": Domain.TRUE},
            "near": {"label": _("Due soon"), "domain": Domain("near_deadline", "=", True)},
            "overdue": {"label": _("Overdue"), "domain": Domain("overdue", "=", True)},
        }

    @staticmethod
    def _hotline_text(value):
        """A query or form value as text the database can store: a file sent in place of a field counts as
        nothing, NUL characters (refused by PostgreSQL) are dropped."""
        return value.replace("\x00", "") if isinstance(value, str) else ""

    @classmethod
    def _hotline_id(cls, value):
        """A positive record id or page number written in ASCII digits, else None."""
        value = cls._hotline_text(value).strip()
        if not (value.isascii() and value.isdigit()) or len(value) > 10:
            return None
        number = int(value)
        return number if 0 < number <= MAX_ID else None

    @classmethod
    def _hotline_parse_date(cls, value):
        try:
            return fields.Date.to_date(cls._hotline_text(value).strip() or None)
        except ValueError:
            return None

    @http.route([CASE_URL, f"{CASE_URL}/page/<int:page>"], type="http", auth="user", website=True, readonly=True)
    def portal_hotline_cases(self, page=1, state="all", deadline="", category=None, date_from=None, date_to=None,
                             search=None, sortby="date", **kw):
        Case = request.env["hotline.case"]
        sortings = self._hotline_searchbar_sortings()
        states = self._hotline_state_filters()
        deadlines = self._hotline_deadline_filters()
        # Every parameter comes from the address bar: an unknown or malformed value is ignored, never an error.
        sortby = sortby if sortby in sortings else "date"
        state = state if state in states else "all"
        deadline = deadline if deadline in deadlines else ""
        if not isinstance(page, int):  # ?page= in the query rather than /page/<int> in the path
            page = self._hotline_id(page) or 1

        domain = self._hotline_domain() & states[state]["domain"] & deadlines[deadline]["domain"]
        category_id = self._hotline_id(category)
        if category_id:
            domain &= Domain("category_id", "child_of", category_id)
        day_from, day_to = self._hotline_parse_date(date_from), self._hotline_parse_date(date_to)
        if day_from:
            domain &= Domain("date_dispatched", ">=", datetime.combine(day_from, time.min))
        if day_to and day_to < date.max:
            # 9999-12-31 is "no end": the day after it does not exist
            domain &= Domain("date_dispatched", "<", datetime.combine(day_to + timedelta(days=1), time.min))
        search = self._hotline_text(search).strip()[:MAX_SEARCH_LENGTH].strip()
        if search:
            domain &= (Domain("name", "ilike", search) | Domain("description", "ilike", search)
                       | Domain("address", "ilike", search))

        url_args = {k: v for k, v in {
            "state": state if state != "all" else None, "deadline": deadline or None,
            "category": category_id, "date_from": day_from and str(day_from), "date_to": day_to and str(day_to),
            "search": search or None, "sortby": sortby if sortby != "date" else None,
        }.items() if v}
        total = Case.search_count(domain, limit=COUNT_LIMIT + 1)
        total_label = f"{COUNT_LIMIT}+" if total > COUNT_LIMIT else str(total)
        pager = portal_pager(url=CASE_URL, url_args=url_args, total=min(total, COUNT_LIMIT), page=page,
                             step=PAGE_SIZE)
        cases = Case.search(domain, order=sortings[sortby]["order"], limit=PAGE_SIZE, offset=pager["offset"])

        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "hotline_cases",
            "cases": cases,
            "pager": pager,
            "total": total_label,
            "default_url": CASE_URL,
            "searchbar_sortings": sortings,
            "state_filters": states,
            "deadline_filters": deadlines,
            "categories": request.env["hotline.category"].search([("parent_id", "=", False)]),
            "filters": {
                "state": state, "deadline": deadline, "category": category_id, "date_from": day_from or "",
                "date_to": day_to or "", "search": search, "sortby": sortby,
            },
            "state_labels": dict(Case._fields["state"]._description_selection(request.env)),
            "urgency_labels": dict(Case._fields["urgency"]._description_selection(request.env)),
            "keep_args": url_args,
        })
        return request.render("hotline_portal.portal_my_hotline_cases", values)

    # ------------------------------------------------------------------
    # Detail
    # ------------------------------------------------------------------
    def _hotline_upload_limits(self):
        """The result form's limits and messages (hotline_case's), for the browser's check."""
        return request.env["hotline.case"]._result_file_limits()

    def _hotline_render_case(self, case, flash=None, typed=None, status=200):
        """The case page; `typed` refills the form the user sent (form name and its fields) after a refusal."""
        Case = request.env["hotline.case"]
        logs = request.env["hotline.case.log"].search([("case_id", "=", case.id)], order="date asc, id asc")
        attachments = case._portal_visible_attachments()
        values = self._prepare_portal_layout_values()
        # no query parameter is passed on: the portal chatter takes none from the address bar
        values = self._get_page_view_values(case, None, values, "my_hotline_cases_history", False)
        values.update({
            "page_name": "hotline_case",
            "case": case,
            "logs": logs,
            "attachments": attachments,
            "can_act": case._portal_can_act(),
            "can_post": case._portal_can_post(),
            "flash": flash,
            "typed": typed or {},
            "upload_limits": self._hotline_upload_limits(),
            "max_extension_days": MAX_EXTENSION_DAYS,
            "state_labels": dict(Case._fields["state"]._description_selection(request.env)),
            "urgency_labels": dict(Case._fields["urgency"]._description_selection(request.env)),
            "extension_labels": dict(Case._fields["extension_state"]._description_selection(request.env)),
            "handling_results": Case._fields["handling_result"]._description_selection(request.env),
            "log_labels": self._hotline_log_labels(),
            "log_state_labels": dict(request.env["hotline.case.log"]._fields["to_state"]
                                     ._description_selection(request.env)),
            "ruling_labels": dict(request.env["hotline.case.log"]._fields["return_ruling"]
                                  ._description_selection(request.env)),
        })
        return request.render("hotline_portal.portal_my_hotline_case", values, status=status)

    @http.route(f"{CASE_URL}/<int:case_id>", type="http", auth="user", website=True)
    def portal_hotline_case(self, case_id, **kw):
        try:
            case = self._hotline_get_case(case_id)
        except (AccessError, MissingError):
            return self._hotline_denied()
        return self._hotline_render_case(case, flash=self._hotline_pop_flash())

    # ------------------------------------------------------------------
    # Unit actions (POST + CSRF token, checked by the framework)
    # ------------------------------------------------------------------
    def _hotline_run(self, case_id, step, success_message, typed=None):
        """Check access, run `step(case)` in a savepoint and go back to the case.

        Done: flash the message and redirect (a reload does not post twice). Refused: the page again with the
        reason and what the user typed (`typed`: the form's name and fields), answered 422.
        """
        try:
            case = self._hotline_get_case(case_id)
        except (AccessError, MissingError):
            return self._hotline_denied()
        try:
            with request.env.cr.savepoint():
                step(case)
        except (UserError, AccessError, ValidationError) as error:
            message = error.args[0] if error.args else str(error)
            return self._hotline_render_case(case, flash={"kind": "danger", "message": message}, typed=typed,
                                             status=422)
        self._hotline_flash("success", success_message)
        return request.redirect(f"{CASE_URL}/{case_id}")

    @http.route(f"{CASE_URL}/<int:case_id>/accept", type="http", auth="user", website=True, methods=["POST"])
    def portal_hotline_accept(self, case_id, **kw):
        return self._hotline_run(case_id, lambda case: case.action_accept(),
                                 request.env._("You have signed for the case."))

    @http.route(f"{CASE_URL}/<int:case_id>/return", type="http", auth="user", website=True, methods=["POST"])
    def portal_hotline_return(self, case_id, reason=None, **kw):
        reason = self._hotline_text(reason)

        def step(case):
            if not reason.strip():
                raise UserError(request.env._("Give the reason for returning the case."))
            case.action_return(reason=reason.strip())
        return self._hotline_run(case_id, step, request.env._("The case has been returned to the center."),
                                 typed={"form": "return", "reason": reason})

    @http.route(f"{CASE_URL}/<int:case_id>/extension", type="http", auth="user", website=True, methods=["POST"])
    def portal_hotline_extension(self, case_id, days=None, reason=None, **kw):
        days, reason = self._hotline_text(days), self._hotline_text(reason)

        def step(case):
            if not reason.strip():
                raise UserError(request.env._("Give the reason for the extension."))
            # the number of days is the workflow's to check (1-60): 0 stands for anything not a number
            case.action_request_extension(days=self._hotline_id(days) or 0, reason=reason.strip())
        return self._hotline_run(case_id, step, request.env._("Your extension request has been sent to the center."),
                                 typed={"form": "extension", "days": days, "reason": reason})

    @staticmethod
    def _hotline_upload_size(upload):
        """Size of an uploaded file without reading it into memory."""
        stream = upload.stream
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        stream.seek(0)
        return size

    def _hotline_check_uploads(self, files):
        """The result's limits on count and sizes, before the files are read (action_submit checks all again)."""
        request.env["hotline.case"]._check_result_sizes(
            [(upload.filename, self._hotline_upload_size(upload)) for upload in files])

    @http.route(f"{CASE_URL}/<int:case_id>/submit", type="http", auth="user", website=True, methods=["POST"])
    def portal_hotline_submit(self, case_id, note=None, result=None, **kw):
        note, result = self._hotline_text(note), self._hotline_text(result)
        files = [f for f in request.httprequest.files.getlist("attachments") if f and f.filename]

        def step(case):
            if not note.strip():
                raise UserError(request.env._("Describe the result first."))
            if not result:
                raise UserError(request.env._("Choose the handling result (解决, 部分解决, 未解决 or 不办理)."))
            self._hotline_check_uploads(files)
            attachments = request.env["ir.attachment"]
            for upload in files:
                # sudo: a portal user cannot create attachments; access to the case was checked above and
                # action_submit checks membership and state (the savepoint drops the files on refusal)
                attachments |= request.env["ir.attachment"].sudo().create({
                    "name": self._hotline_text(upload.filename),
                    "datas": base64.b64encode(upload.read()),
                    "res_model": "hotline.case",
                    "res_id": case.id,
                })
            case.action_submit(note=note.strip(), attachment_ids=attachments.ids, result=result)
        return self._hotline_run(case_id, step, request.env._("Your result has been submitted for review."),
                                 typed={"form": "submit", "note": note, "result": result})

    @http.route(f"{CASE_URL}/<int:case_id>/message", type="http", auth="user", website=True, methods=["POST"])
    def portal_hotline_message(self, case_id, message=None, **kw):
        message = self._hotline_text(message)

        def step(case):
            if not message.strip():
                raise UserError(request.env._("Write a message first."))
            # as the user: mail checks its right to post on the case (read access is enough here)
            case.message_post(body=plaintext2html(message.strip()), message_type="comment",
                              subtype_xmlid="mail.mt_comment")
        return self._hotline_run(case_id, step, request.env._("Your message has been sent to the center."),
                                 typed={"form": "message", "message": message})
