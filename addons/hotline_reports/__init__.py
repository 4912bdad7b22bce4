from . import kpi, models, report
