from . import hotline_kpi_call, res_config_settings
