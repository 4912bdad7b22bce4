from . import (
    test_call_facts,
    test_case_facts,
    test_call_kpi,
    test_call_xlsx,
    test_case_reports,
    test_erlang,
    test_kpi_case,
    test_kpi_dispatch,
    test_report_access,
    test_report_rpc,
    test_staffing,
    test_xlsx,
)
