from . import (
    hotline_assessment_appeal_wizard,
    hotline_call_report_wizard,
    hotline_case_report_wizard,
)
