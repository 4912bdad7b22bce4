from . import (
    hotline_platform_code,
    hotline_platform_counterpart,
    hotline_platform_event,
    hotline_case,
    hotline_case_log,
    hotline_platform_reconciliation,
)
