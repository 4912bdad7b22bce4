from . import test_kpi_case
