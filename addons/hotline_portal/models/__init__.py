from . import hotline_case, res_partner
