"""Real parts to run the system against on one machine, without hardware or an Odoo server.

Used by the tests, ``demo/`` and ``bench/`` alike: a real Mosquitto broker
(:mod:`testbed.broker`), an MQTT test client (:mod:`testbed.mqtt_peer`), a TCP
fault proxy (:mod:`testbed.tcp_proxy`), the JSON-RPC Odoo stand-in
(:mod:`testbed.odoo_server`) and a real satellite process (:mod:`testbed.satellite_process`).
Beside Home Assistant (they import it): the hub's config entry data for the test server
(:mod:`testbed.ha_entry`) and waiting until HA's MQTT subscriptions are active
(:mod:`testbed.ha_mqtt`).
Nothing here is shipped to users.
"""
