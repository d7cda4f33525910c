"""Benchmarks of Odoo E-Paper; each writes its figures to docs/benchmarks.md."""
