from odoo import http
from odoo.exceptions import UserError
from odoo.http import content_disposition, request


class HotlineReportsController(http.Controller):

    # readonly: served from a read-only cursor, i.e. from the replica when one is configured
    @http.route("/hotline_reports/calls.xlsx", type="http", auth="user", methods=["GET"], readonly=True)
    def calls_xlsx(self, date_from=None, date_to=None, queues=None, agents=None):
        try:
            queue_list = [q.strip() for q in (queues or "").split(",") if q.strip()] or None
            agent_ids = [int(a) for a in (agents or "").split(",") if a.strip()] or None
        except ValueError:
            raise UserError(request.env._("The agents of the export are not valid.")) from None
        content, filename = request.env["hotline.call.report.wizard"]._render_xlsx(
            date_from, date_to, queue_list, agent_ids)
        return request.make_response(content, headers=[
            ("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("Content-Disposition", content_disposition(filename)),
        ])
