from . import (
    hotline_call_report_wizard,
    hotline_case_report_wizard,
)
