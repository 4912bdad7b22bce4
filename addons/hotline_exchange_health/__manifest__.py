{
    "name": "Hotline Exchange Health",
    "summary": "System health row for the exchange with the unit server (glue of hotline_exchange and hotline_health)",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_exchange", "hotline_health"],
    "auto_install": True,
    "installable": True,
}
