{
    "name": "Hotline Reports",
    "summary": "Call-center and case KPI reports with XLSX export",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_case", "hotline_telephony"],
    "data": [],
    "installable": True,
    "application": False,
}
