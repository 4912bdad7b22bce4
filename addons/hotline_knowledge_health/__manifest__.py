{
    "name": "Hotline Knowledge Health",
    "summary": "System health row for the knowledge search (glue of hotline_knowledge and hotline_health)",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_knowledge", "hotline_health"],
    "auto_install": True,
    "installable": True,
}
