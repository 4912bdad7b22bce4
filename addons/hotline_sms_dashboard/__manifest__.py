{
    "name": "Hotline SMS Dashboard",
    "summary": "The SMS figures on the managers' dashboard: texts by template and state, survey replies, "
               "evaluations by phone and by SMS",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_sms", "hotline_reports_dashboard"],
    "data": ["data/spreadsheet_dashboard_data.xml"],
    "installable": True,
    "auto_install": True,
}
