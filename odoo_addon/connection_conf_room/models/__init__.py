from . import room_booking, room_rasp_connection, room_room  # noqa: F401
