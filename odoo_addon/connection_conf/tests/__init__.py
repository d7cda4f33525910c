from . import test_epaper_schedule, test_room_rasp_broker, test_room_rasp_connection  # noqa: F401
