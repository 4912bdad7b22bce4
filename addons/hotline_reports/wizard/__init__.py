from . import hotline_case_report_wizard
