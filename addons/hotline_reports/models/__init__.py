from . import hotline_kpi_case
from . import hotline_case_log
from . import hotline_assessment_scheme
from . import hotline_assessment_scheme_line
from . import hotline_assessment
from . import hotline_assessment_result
from . import hotline_report_export
