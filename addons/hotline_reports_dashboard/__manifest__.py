{
    "name": "Hotline Reports Dashboard",
    "summary": "The managers' dashboard of case figures (Dashboards app)",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["spreadsheet_dashboard", "hotline_reports"],
    "data": ["data/spreadsheet_dashboard_data.xml", "data/menus.xml"],
    "installable": True,
    "auto_install": True,
}
