{
    "name": "Hotline System Health",
    "summary": "系统监控: the state of the AMI bridge, screen pop, scheduled jobs, mail and database, "
               "warnings, recovery log, Prometheus metrics and a diagnostic bundle",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_telephony", "mail"],
    "external_dependencies": {"python": ["prometheus_client"]},
    "data": [
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/hotline_health_check_views.xml",
        "views/hotline_health_event_views.xml",
        "views/hotline_pbx_views.xml",
        "views/res_config_settings_views.xml",
        "views/hotline_health_menus.xml",
    ],
    "installable": True,
    "application": False,
}
