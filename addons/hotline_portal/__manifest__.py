{
    "name": "Hotline Portal",
    "summary": "Portal for second-level units to handle their cases",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_case", "portal"],
    "data": [
        "security/ir.model.access.csv",
        "security/hotline_portal_security.xml",
        "data/ir_config_parameter_data.xml",
        "data/mail_template_data.xml",
        "views/hotline_portal_templates.xml",
    ],
    "demo": [
        "demo/hotline_portal_demo.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "hotline_portal/static/src/scss/hotline_portal.scss",
            "hotline_portal/static/src/interactions/**/*",
        ],
        "web.assets_tests": [
            "hotline_portal/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
