{
    "name": "Hotline Telephony",
    "summary": "Asterisk PBX integration: calls, agent states, screen pop, click-to-dial",
    "version": "19.0.1.1.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_case", "bus"],
    "external_dependencies": {"python": ["pyst2"]},
    "data": [
        "security/ir.model.access.csv",
        "security/hotline_telephony_security.xml",
        "data/hotline_pbx_data.xml",
        "views/hotline_call_views.xml",
        "views/hotline_agent_session_views.xml",
        "views/hotline_agent_pause_views.xml",
        "views/hotline_pbx_views.xml",
        "views/hotline_case_views.xml",
        "views/res_users_views.xml",
        "views/res_partner_views.xml",
        "views/hotline_telephony_menus.xml",
    ],
    "demo": [
        "demo/hotline_telephony_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "hotline_telephony/static/src/**/*",
        ],
        "web.assets_tests": [
            "hotline_telephony/static/tests/tours/**/*",
        ],
        "web.assets_unit_tests": [
            "hotline_telephony/static/tests/*.test.js",
        ],
    },
    "installable": True,
    "application": False,
}
