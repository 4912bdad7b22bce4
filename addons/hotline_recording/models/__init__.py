from . import (
    hotline_agent_state,
    hotline_call,
    hotline_case,
    hotline_category,
    hotline_pbx,
    hotline_recording,
    hotline_recording_access,
    res_company,
    res_config_settings,
)
