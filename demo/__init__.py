"""The whole Odoo E-Paper system on loopback: ``scripts/demo`` runs ``python -m demo``."""
