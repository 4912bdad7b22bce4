{
    "name": "Hotline SMS Health",
    "summary": "System health row for the citizen texts (glue of hotline_sms and hotline_health)",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_sms", "hotline_health"],
    "auto_install": True,
    "installable": True,
}
