from . import room_rasp_connection, room_rasp_connection_mqtt  # noqa: F401
