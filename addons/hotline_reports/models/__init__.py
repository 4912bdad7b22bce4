from . import (
    hotline_assessment,
    hotline_assessment_result,
    hotline_assessment_scheme,
    hotline_assessment_scheme_deduction,
    hotline_assessment_scheme_line,
    hotline_call_attempt,
    hotline_case,
    hotline_case_log,
    hotline_kpi_call,
    hotline_kpi_case,
    hotline_report_export,
    hotline_report_fact,
    res_config_settings,
)
# after the assessment models they extend
from . import (  # noqa: I001
    hotline_assessment_publication,
    hotline_assessment_appeal,
    hotline_assessment_demo,
)
