{
    "name": "Hotline SMS",
    "summary": "Texts to the citizen (case number, result, survey) through Chinese SMS gateways, and survey replies",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_case", "sms"],
    "external_dependencies": {"python": ["alibabacloud-dysmsapi20170525", "tencentcloud-sdk-python-sms"]},
    "data": [
        "security/ir.model.access.csv",
        "data/hotline_sms_template_data.xml",
        "data/ir_cron_data.xml",
        "views/hotline_sms_views.xml",
    ],
    "post_init_hook": "_post_init_hook",
    "installable": True,
}
