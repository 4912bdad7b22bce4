from werkzeug.exceptions import BadRequest

from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        super()._pre_dispatch(rule, args)
        # A JSON-RPC call names its parameters in an object (odoo.http only supports that form): any other
        # "params" is the client's error, a 400, not the server's ("dictionary update sequence..." otherwise).
        if rule.endpoint.routing.get("type") == "jsonrpc" and request.httprequest.content_length:
            try:
                payload = request.get_json_data()
            except ValueError:
                return  # the dispatcher answers "Invalid JSON data" itself
            if isinstance(payload, dict) and not isinstance(payload.get("params", {}), dict):
                raise BadRequest(request.env._("The parameters of a JSON-RPC call must be an object."))
