from . import test_epaper_schedule, test_room_booking  # noqa: F401
