from . import hotline_kpi_call, hotline_kpi_case, res_config_settings
