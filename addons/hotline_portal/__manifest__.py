{
    "name": "Hotline Portal",
    "summary": "Portal for second-level units to handle their cases",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_case", "portal"],
    "data": [],
    "installable": True,
    "application": False,
}
