from odoo import http
from odoo.exceptions import UserError
from odoo.http import content_disposition, request


class HotlineReportsController(http.Controller):

    # readonly: served from a read-only cursor, i.e. from the replica when one is configured
    @http.route("/hotline_reports/calls.xlsx", type="http", auth="user", methods=["GET"], readonly=True)
    def calls_xlsx(self, date_from=None, date_to=None, queues=None, agents=None):
        queue_list = [q.strip() for q in (queues or "").split(",") if q.strip()] or None
        if queue_list and any(not q.isprintable() for q in queue_list):
            # a queue is named in plain text (a NUL is not even storable)
            raise UserError(request.env._("The queues of the export are not valid."))
        try:
            agent_ids = [int(a) for a in (agents or "").split(",") if a.strip()] or None
        except ValueError:
            agent_ids = [0]
        if agent_ids and not all(0 < agent < 2**31 for agent in agent_ids):  # ids are PostgreSQL integers
            raise UserError(request.env._("The agents of the export are not valid."))
        content, filename = request.env["hotline.call.report.wizard"]._render_xlsx(
            date_from, date_to, queue_list, agent_ids)
        return request.make_response(content, headers=[
            ("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("Content-Disposition", content_disposition(filename)),
        ])
