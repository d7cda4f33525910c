from . import room_rasp_connection  # noqa: F401
