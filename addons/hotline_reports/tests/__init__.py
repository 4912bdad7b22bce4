from . import test_case_reports
from . import test_kpi_case
from . import test_report_rpc
