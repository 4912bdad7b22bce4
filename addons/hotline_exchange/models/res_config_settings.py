from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hotline_exchange_role = fields.Selection(
        [("single", "One database (center and portal together)"), ("center", "Center server"),
         ("unit", "Unit server (DMZ)")],
        string="Exchange Role", default="single", required=True, config_parameter="hotline_exchange.role",
    )
    hotline_exchange_unit_url = fields.Char(string="Unit Server Address",
                                            config_parameter="hotline_exchange.unit_url")
    hotline_exchange_unit_db = fields.Char(string="Unit Server Database", config_parameter="hotline_exchange.unit_db")
    hotline_exchange_unit_api_key = fields.Char(string="Unit Server API Key", hotline_secret=True,
                                                config_parameter="hotline_exchange.unit_api_key")
