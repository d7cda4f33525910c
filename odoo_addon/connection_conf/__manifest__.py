# The migration 18.0.1.1.0 is for 18.0 databases only (see odoo_addon/.pylintrc).
# pylint: disable=manifest-behind-migrations
{  # noqa: B018
    "name": "E-Paper Door Signs: Connections",
    "summary": "E-paper displays at meeting room doors: MQTT status mirror, test messages",
    "version": "1.1.0",
    "category": "Productivity",
    "author": "Odoo E-Paper team",
    "license": "LGPL-3",
    "depends": ["base", "mail"],
    "external_dependencies": {"python": ["paho-mqtt"]},
    "data": [
        "security/connection_conf_security.xml",
        "security/ir.model.access.csv",
        "security/room_rasp_rules.xml",
        "data/ir_cron.xml",
        "views/room_rasp_connection_views.xml",
        "views/room_rasp_broker_views.xml",
        "views/connection_conf_menus.xml",
    ],
    "application": True,
}
