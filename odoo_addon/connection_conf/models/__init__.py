from . import (  # noqa: F401
    room_rasp_connection,
    room_rasp_connection_mqtt,
    room_rasp_connection_schedule,
)
