from . import test_booking, test_calendar_event, test_epaper_schedule, test_epaper_schedule_sync  # noqa: F401
