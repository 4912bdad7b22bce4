{
    "name": "Hotline Quality Inspection",
    "summary": "质检: scorecards, sampling plans, inspectors' reviews, appeals, calibration and the agents' QA score",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_telephony", "hotline_case", "hotline_reports"],
    "data": [
        "security/hotline_quality_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/hotline_quality_scorecard_views.xml",
        "views/hotline_quality_plan_views.xml",
        "views/hotline_quality_review_views.xml",
        "views/hotline_quality_calibration_views.xml",
        "views/hotline_quality_agent_report_views.xml",
        "views/hotline_agent_report_views.xml",
        "views/hotline_quality_menus.xml",
    ],
    "demo": [
        "demo/hotline_quality_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "hotline_quality/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
