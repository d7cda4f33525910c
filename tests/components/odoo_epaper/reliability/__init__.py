"""Fault, secret and bad-input tests of the hub (Home Assistant side): docs/reliability.md."""
