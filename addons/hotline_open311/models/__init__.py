from . import (
    hotline_case,
    hotline_category,
    hotline_open311,
    hotline_open311_client,
    hotline_open311_submission,
    hotline_open311_usage,
)
