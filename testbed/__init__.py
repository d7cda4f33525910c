"""Real parts to run the system against on one machine, without hardware or an Odoo server.

Used by the tests, ``demo/`` and ``bench/`` alike: a real Mosquitto broker
(:mod:`testbed.broker`), an MQTT test client (:mod:`testbed.mqtt_peer`), a TCP
fault proxy (:mod:`testbed.tcp_proxy`), the JSON-RPC Odoo stand-in
(:mod:`testbed.odoo_server`) and a real satellite process (:mod:`testbed.satellite_process`).
Nothing here is shipped to users.
"""
