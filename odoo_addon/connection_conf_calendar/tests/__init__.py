from . import test_booking, test_calendar_event, test_epaper_schedule  # noqa: F401
