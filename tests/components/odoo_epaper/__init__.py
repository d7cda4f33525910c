"""Tests of the Odoo E-Paper integration."""
