"""A hardware reset for a panel that stopped answering: one pulse on a GPIO, through gpiozero."""

from __future__ import annotations

import logging
import time

_LOGGER = logging.getLogger(__name__)
PULSE_SECONDS = 0.5


def pulse_reset(pin: int, *, active_high: bool = False, seconds: float = PULSE_SECONDS) -> bool:
    """Drive BCM ``pin`` active for ``seconds``, then inactive; True when the pulse was sent.

    ``active_high`` False (the default) pulls the line low, as the panel's RST input
    and most power-switch boards expect. gpiozero picks its pin factory itself
    (``GPIOZERO_PIN_FACTORY=mock`` in tests); a missing gpiozero or a busy pin is
    logged and gives False, never an exception: the caller is on its way out.
    """
    try:
        from gpiozero import DigitalOutputDevice  # noqa: PLC0415 - only on the Pi
    except ImportError:
        _LOGGER.error("Cannot reset the panel on GPIO%d: gpiozero is not installed", pin)
        return False
    try:
        device = DigitalOutputDevice(pin, active_high=active_high, initial_value=False)
    except Exception as err:  # gpiozero raises many kinds (pin in use, no factory, ...)
        _LOGGER.error("Cannot reset the panel on GPIO%d: %s", pin, err)
        return False
    try:
        device.on()
        time.sleep(seconds)
        device.off()
    finally:
        device.close()
    _LOGGER.warning("Pulsed the panel reset on GPIO%d for %g s", pin, seconds)
    return True
