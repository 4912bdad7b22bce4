from . import hotline_quality_agent_report, hotline_agent_report
