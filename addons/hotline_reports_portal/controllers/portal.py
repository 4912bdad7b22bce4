from odoo import fields, http
from odoo.addons.hotline_portal.controllers.portal import MAX_ID, HotlinePortal
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.fields import Domain
from odoo.http import request

ASSESSMENT_URL = "/my/hotline/assessments"


class HotlineReportsPortal(HotlinePortal):
    """The unit's published assessments: the versions of its results, the cases behind each figure, its appeals.

    Reads as the portal user (record rules: only the user's units); filing an appeal calls
    `hotline.assessment.published.item.file_appeal` as the user, which checks membership, version and window.
    """

    def _hotline_get_result(self, result_id):
        """The published result as the current user, or AccessError/MissingError. No sudo before this check."""
        Result = request.env["hotline.assessment.published.result"]
        result = Result.browse(result_id)
        if not 0 < result_id <= MAX_ID or not result.exists():
            raise MissingError(request.env._("This result does not exist or you are not allowed to see it."))
        result.check_access("read")
        # the portal shows the results of the user's own units only, center staff included
        if result.unit_id not in self._hotline_units():
            raise AccessError(request.env._("This result does not exist or you are not allowed to see it."))
        return result

    def _hotline_result_denied(self):
        return self._hotline_denied(request.env._("This result does not exist or you are not allowed to see it."))

    @http.route(ASSESSMENT_URL, type="http", auth="user", website=True, readonly=True)
    def portal_hotline_assessments(self, **kw):
        results = request.env["hotline.assessment.published.result"].search(
            Domain("unit_id", "in", self._hotline_units().ids), order="date_from desc, publication_id desc")
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "hotline_assessments",
            "results": results,
            "version_labels": dict(request.env["hotline.assessment.publication"]._fields["state"]
                                   ._description_selection(request.env)),
        })
        return request.render("hotline_reports_portal.portal_my_hotline_assessments", values)

    def _hotline_render_result(self, result, figure=None, flash=None, typed=None, status=200):
        figures = result.figure_ids
        chosen = figures.filtered(lambda f: f.code == figure)[:1]
        code = chosen._items_code() if chosen else None
        items = result._items(code) if code else result.item_ids.browse()
        appeals = request.env["hotline.assessment.appeal"].search([
            ("assessment_id", "=", result.assessment_id.id), ("unit_id", "=", result.unit_id.id)])
        versions = request.env["hotline.assessment.published.result"].search([
            ("assessment_id", "=", result.assessment_id.id), ("unit_id", "=", result.unit_id.id)],
            order="publication_id desc")
        open_items = {(appeal.item_id.id, appeal.code) for appeal in appeals if appeal.state == "submitted"}
        # the appeals' files, as on the case page: links with an access token (the user reads these appeals)
        files = {appeal.id: [(attachment, attachment.access_token)
                             for attachment in appeal.sudo().attachment_ids if attachment.access_token]
                 for appeal in appeals}
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "hotline_assessment",
            "result": result,
            "publication": result.publication_id,
            "figures": figures,
            "figure": chosen,
            "items": items,
            "items_code": code,
            "appeals": appeals,
            "versions": versions,
            "can_appeal": result.state == "current" and fields.Datetime.now() <= result.appeal_deadline,
            "open_items": open_items,
            "files": files,
            "flash": flash,
            "typed": typed or {},
            "figure_labels": dict(figures._fields["code"]._description_selection(request.env)),
            "appeal_labels": dict(appeals._fields["state"]._description_selection(request.env)),
            "version_labels": dict(request.env["hotline.assessment.publication"]._fields["state"]
                                   ._description_selection(request.env)),
            "upload_limits": self._hotline_upload_limits(),
        })
        return request.render("hotline_reports_portal.portal_my_hotline_assessment", values, status=status)

    @http.route(f"{ASSESSMENT_URL}/<int:result_id>", type="http", auth="user", website=True, readonly=True)
    def portal_hotline_assessment(self, result_id, figure=None, **kw):
        try:
            result = self._hotline_get_result(result_id)
        except (AccessError, MissingError):
            return self._hotline_result_denied()
        return self._hotline_render_result(result, figure=self._hotline_text(figure) or None,
                                           flash=self._hotline_pop_flash())

    @http.route(f"{ASSESSMENT_URL}/<int:result_id>/appeal/<int:item_id>", type="http", auth="user", website=True,
                methods=["POST"])
    def portal_hotline_appeal(self, result_id, item_id, code=None, reason=None, **kw):
        reason, code = self._hotline_text(reason), self._hotline_text(code)
        files = [f for f in request.httprequest.files.getlist("attachments") if f and f.filename]
        try:
            result = self._hotline_get_result(result_id)
        except (AccessError, MissingError):
            return self._hotline_result_denied()
        item = result.item_ids.filtered(lambda i: i.id == item_id)
        if not item:
            return self._hotline_result_denied()
        try:
            with request.env.cr.savepoint():
                self._hotline_check_uploads(files)
                item.file_appeal(code, reason, [(self._hotline_text(f.filename), f.read()) for f in files])
        except (UserError, AccessError, ValidationError) as error:
            message = error.args[0] if error.args else str(error)
            return self._hotline_render_result(result, figure=code, status=422,
                                               flash={"kind": "danger", "message": message},
                                               typed={"item": item.id, "reason": reason})
        self._hotline_flash("success", request.env._("Your appeal has been sent to the center."))
        return request.redirect(f"{ASSESSMENT_URL}/{result.id}?figure={code}")
