"""Home Assistant tests (run with pytest-homeassistant-custom-component)."""
