{
    "name": "Hotline Knowledge Base on the Portal",
    "summary": "Units' knowledge managers propose and keep their answers current on the portal",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_knowledge", "hotline_portal"],
    "data": [
        "views/hotline_knowledge_portal_templates.xml",
    ],
    "installable": True,
    "auto_install": True,
}
