from . import hotline_kpi_case
