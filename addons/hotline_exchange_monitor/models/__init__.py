from . import hotline_exchange_link
from . import hotline_monitor_kpi
