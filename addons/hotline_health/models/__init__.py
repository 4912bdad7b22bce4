from . import (
    hotline_health_bundle,
    hotline_health_check,
    hotline_health_check_backup,
    hotline_health_event,
    hotline_health_metrics,
    hotline_pbx,
    res_config_settings,
)
