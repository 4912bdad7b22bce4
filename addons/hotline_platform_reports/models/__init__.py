from . import hotline_report_case_intake
