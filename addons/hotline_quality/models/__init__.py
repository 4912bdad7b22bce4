from . import (
    hotline_quality_scorecard,
    hotline_quality_plan,
    hotline_quality_review,
    hotline_quality_calibration,
    hotline_kpi_call,
)
