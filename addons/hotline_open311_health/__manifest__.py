{
    "name": "Hotline Open311 Health",
    "summary": "System health row for the Open311 API (glue of hotline_open311 and hotline_health)",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_open311", "hotline_health"],
    "auto_install": True,
    "installable": True,
}
