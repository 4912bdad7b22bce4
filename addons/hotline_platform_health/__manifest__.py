{
    "name": "Hotline 12345 Platform Health",
    "summary": "System health rows for the exchanges with the 12345 platforms (glue of hotline_platform and "
               "hotline_health)",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_platform", "hotline_health"],
    "auto_install": True,
    "installable": True,
}
