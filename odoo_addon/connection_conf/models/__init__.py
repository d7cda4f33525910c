from . import (  # noqa: F401
    room_rasp_booking_notice,
    room_rasp_broker,
    room_rasp_connection,
    room_rasp_connection_adopt,
    room_rasp_connection_booking,
    room_rasp_connection_mqtt,
    room_rasp_connection_schedule,
    room_rasp_connection_secrets,
    room_rasp_connection_status,
    room_rasp_connection_sync,
    room_rasp_schedule_change,
)
