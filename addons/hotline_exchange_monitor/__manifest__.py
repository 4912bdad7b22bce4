{
    "name": "Hotline Exchange Monitor",
    "summary": "The unit server exchange's lag on the wallboard's situation panel (glue of hotline_exchange and "
               "hotline_monitor)",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_exchange", "hotline_monitor"],
    "auto_install": True,
    "installable": True,
}
