"""demo.ha_log finds what Home Assistant's log says about the integration."""

# ruff: noqa: E501  (the log lines are as Home Assistant writes them)

from __future__ import annotations

from demo.ha_log import integration_problems

LOG = """\
2026-12-06 22:14:01.101 WARNING (SyncWorker_0) [homeassistant.loader] We found a custom integration odoo_epaper which has not been tested by Home Assistant. This component might cause stability problems, be sure to disable it if you experience issues with Home Assistant
2026-12-06 22:14:02.202 INFO (MainThread) [custom_components.odoo_epaper] Read 5 displays
2026-12-06 22:14:03.303 WARNING (MainThread) [homeassistant.helpers.frame] Detected that custom integration 'odoo_epaper' calls `device_registry.async_get_device`, which is deprecated at custom_components/odoo_epaper/devices.py, line 81
2026-12-06 22:14:04.404 ERROR (MainThread) [homeassistant.components.radio_browser] Error setting up entry
Traceback (most recent call last):
ModuleNotFoundError: No module named 'radios'
2026-12-06 22:14:05.505 ERROR (MainThread) [homeassistant.config_entries] Error setting up entry demo for odoo_epaper
Traceback (most recent call last):
  File "/config/custom_components/odoo_epaper/__init__.py", line 10, in async_setup_entry
RuntimeError: boom
2026-12-06 22:14:06.606 WARNING (MainThread) [custom_components.odoo_epaper.publisher] Publishing the hub status online to odoo_epaper/_hub/status failed: not connected
2026-12-06 22:14:07.707 WARNING (MainThread) [homeassistant.components.mqtt] Can't decode payload on a/b
"""


def test_problems_of_the_integration_only() -> None:
    found = integration_problems(LOG, "odoo_epaper")
    assert [line.split()[2] for line in found] == ["WARNING", "ERROR", "WARNING"]
    assert "async_get_device" in found[0]
    assert "Error setting up entry demo for odoo_epaper" in found[1]
    assert "Publishing the hub status" in found[2]


def test_a_quiet_log_has_no_problems() -> None:
    quiet = "\n".join(
        line for line in LOG.splitlines() if "not been tested" in line or "INFO" in line
    )
    assert integration_problems(quiet, "odoo_epaper") == []
    assert integration_problems("", "odoo_epaper") == []
