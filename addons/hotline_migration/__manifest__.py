{
    "name": "Hotline Migration",
    "summary": "Import a legacy hotline system: units, callers, cases with their history, calls",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_case", "hotline_telephony"],
    "external_dependencies": {"python": ["python_calamine", "pymysql"]},
    "data": [
        "security/ir.model.access.csv",
        "security/hotline_migration_security.xml",
        "views/hotline_migration_source_views.xml",
        "views/hotline_migration_xref_views.xml",
    ],
    "installable": True,
}
