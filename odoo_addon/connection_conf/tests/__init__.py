from . import test_room_rasp_connection  # noqa: F401
