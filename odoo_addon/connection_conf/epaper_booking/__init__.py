"""Door actions, bookings and no-show release as plain rules (no ``odoo`` import).

The addon's models read and write records; these functions decide. The Odoo test
server of this repository runs the same functions, so hub and addon agree.
"""

from .rules import (
    ACTIONS,
    Booking,
    BookingRefused,
    Plan,
    check_in_until,
    no_shows,
    plan_booking,
    plan_door_action,
)

__all__ = [
    "ACTIONS",
    "Booking",
    "BookingRefused",
    "Plan",
    "check_in_until",
    "no_shows",
    "plan_booking",
    "plan_door_action",
]
