{
    "name": "Hotline Reports Portal",
    "summary": "Published assessments and appeals (考核发布与复核) on the units' portal",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_reports", "hotline_portal"],
    "data": [
        "views/hotline_reports_portal_templates.xml",
    ],
    "installable": True,
    "auto_install": True,
    "application": False,
}
