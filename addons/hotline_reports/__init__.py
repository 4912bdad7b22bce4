from . import controllers, kpi, models, report, tools, wizard
