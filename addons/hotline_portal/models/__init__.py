from . import hotline_case, ir_http, res_partner
