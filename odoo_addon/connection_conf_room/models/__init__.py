from . import room_booking, room_rasp_connection  # noqa: F401
