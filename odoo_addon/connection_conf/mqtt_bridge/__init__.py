"""Plain-Python MQTT side of the addon: no ``odoo`` import anywhere in this package."""

from __future__ import annotations

from .backoff import Backoff
from .change_notifier import ChangeNotice, ChangeNotifier
from .client import BridgeClient
from .data_publisher import DataPublisher, Outgoing, PublishJob
from .drainer import EventDrainer
from .events import ActionEvent, ConnectionEvent, Event, EventQueue, StatusEvent
from .manager import MqttConnectionManager
from .probe import ConnectResult, probe_connection
from .publishing import COMMANDS, command_payload, publish_to_door
from .return_codes import RC_MEANINGS, describe_return_code
from .settings import BrokerSettings
from .test_message import TestMessageResult
from .wire import DeviceStatus, WireError, is_valid_device_name, is_valid_topic_prefix

__all__ = [
    "COMMANDS",
    "RC_MEANINGS",
    "ActionEvent",
    "Backoff",
    "BridgeClient",
    "BrokerSettings",
    "ChangeNotice",
    "ChangeNotifier",
    "ConnectResult",
    "ConnectionEvent",
    "DataPublisher",
    "DeviceStatus",
    "Event",
    "EventDrainer",
    "EventQueue",
    "MqttConnectionManager",
    "Outgoing",
    "PublishJob",
    "StatusEvent",
    "TestMessageResult",
    "WireError",
    "command_payload",
    "describe_return_code",
    "is_valid_device_name",
    "is_valid_topic_prefix",
    "probe_connection",
    "publish_to_door",
]
