"""Odoo E-Paper satellite: MQTT subscriber that draws room schedules on e-paper."""

__version__ = "1.0.0"
