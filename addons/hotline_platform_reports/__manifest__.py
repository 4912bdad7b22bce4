{
    "name": "Hotline 12345 Platform Reports",
    "summary": "The 12345 platform's work orders in the intake statistics and the KPI figures (glue of "
               "hotline_platform and hotline_reports)",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_platform", "hotline_reports"],
    "auto_install": True,
    "installable": True,
}
