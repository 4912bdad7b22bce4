from . import hotline_quality_agent_report
