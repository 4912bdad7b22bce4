from . import test_call_kpi, test_call_xlsx, test_report_access, test_erlang, test_staffing, test_kpi_case
