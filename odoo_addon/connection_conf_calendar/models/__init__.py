from . import calendar_event, room_rasp_connection  # noqa: F401
