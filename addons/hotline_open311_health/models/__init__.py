from . import hotline_health_check
