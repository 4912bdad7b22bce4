from . import test_call_kpi, test_report_access, test_erlang, test_kpi_case
