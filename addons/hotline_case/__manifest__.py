{
    "name": "Hotline Cases",
    "summary": "Citizen service cases: intake, dispatch, handling, review and callback",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["mail", "resource"],
    "data": [],
    "installable": True,
    "application": True,
}
