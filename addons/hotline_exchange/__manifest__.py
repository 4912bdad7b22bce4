{
    "name": "Hotline Exchange",
    "summary": "Units' data on a server of their own: the center and the unit server exchange cases over the "
               "internal network",
    "version": "19.0.1.0.0",
    "category": "Services/Hotline",
    "license": "LGPL-3",
    "author": "12319 Hotline Project",
    "website": "https://github.com/hotline-12319/hotline",
    "depends": ["hotline_portal", "rpc"],
    "data": [
        "security/hotline_exchange_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/hotline_exchange_event_views.xml",
        "views/hotline_exchange_inbox_views.xml",
        "views/hotline_exchange_link_views.xml",
        "views/res_config_settings_views.xml",
        "views/hotline_exchange_menus.xml",
        "views/hotline_portal_templates.xml",
    ],
    "installable": True,
    "application": False,
}
