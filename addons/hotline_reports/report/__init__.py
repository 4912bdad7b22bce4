# the mixins first: Odoo builds a module's models in import order, and the views inherit them
from . import hotline_call_measure_mixin, hotline_report_view_mixin  # noqa: I001
from . import (
    hotline_agent_report,
    hotline_call_report,
    hotline_call_stat,
    hotline_report_case_hotspot,
    hotline_report_case_industry,
    hotline_report_case_intake,
    hotline_report_case_unit,
    hotline_staffing_report,
    hotline_staffing_report_line,
)
