from . import (  # noqa: F401
    test_booking,
    test_calendar_event,
    test_epaper_schedule,
    test_epaper_schedule_sync,
    test_room_identity,
    test_schedule_read,
)
