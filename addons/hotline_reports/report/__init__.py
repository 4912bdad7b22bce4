from . import hotline_report_case_hotspot
from . import hotline_report_case_industry
from . import hotline_report_case_intake
from . import hotline_report_case_unit
