"""18.0.1.1.0: per-display broker settings become broker records the displays link to."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Group the displays' old settings into brokers; keep every display's connection as it was.

    The old stored ``mqtt_use_tls`` column is read with SQL (the field is computed now).
    """
    if not version:
        return
    cr.execute(
        "SELECT 1 FROM information_schema.columns "
        "WHERE table_name = 'room_rasp_connection' AND column_name = 'mqtt_use_tls'"
    )
    tls_by_display = {}
    if cr.fetchone():
        cr.execute("SELECT id, mqtt_use_tls FROM room_rasp_connection")
        tls_by_display = {row[0]: bool(row[1]) for row in cr.fetchall()}
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["room.rasp.broker"]._epaper_migrate_display_brokers(tls_by_display)
