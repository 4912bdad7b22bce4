{
    "name": "Hotline Knowledge Base",
    "summary": "知识库: answers agents read out on the call, owned and kept current by the units",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_case", "mail", "html_editor"],
    "external_dependencies": {"python": ["opencc", "pypinyin"]},
    "data": [
        "security/hotline_knowledge_security.xml",
        "security/ir.model.access.csv",
        "data/mail_activity_type_data.xml",
        "data/ir_cron_data.xml",
        "views/hotline_knowledge_misc_views.xml",
        "views/hotline_knowledge_figures_views.xml",
        "views/hotline_knowledge_item_views.xml",
        "views/hotline_knowledge_category_views.xml",
        "views/hotline_case_views.xml",
        "views/hotline_unit_views.xml",
        "views/hotline_knowledge_menus.xml",
    ],
    "demo": [
        "demo/hotline_knowledge_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "hotline_knowledge/static/src/components/**/*",
        ],
        "web.assets_tests": [
            "hotline_knowledge/static/tests/tours/**/*",
        ],
    },
    "post_init_hook": "post_init_hook",
    "installable": True,
    "application": False,
}
