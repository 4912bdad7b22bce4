from . import hotline_call_report, hotline_agent_report
