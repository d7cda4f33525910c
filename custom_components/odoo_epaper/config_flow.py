"""Config, reauth, reconfigure and options flows of Odoo E-Paper."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.const import CONF_PASSWORD, CONF_SCAN_INTERVAL, CONF_URL, CONF_USERNAME
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .const import (
    CONF_DATABASE,
    CONF_DOOR_ACTIONS,
    CONF_HORIZON_DAYS,
    CONF_MAX_BOOKING_MINUTES,
    CONF_QOS,
    CONF_SOURCE,
    CONF_STATUS_MIRROR,
    CONF_TOPIC_PREFIX,
    DOMAIN,
    DOOR_ACTIONS,
    LOGGER,
    MAX_BOOKING_MINUTES,
    MAX_HORIZON_DAYS,
    MAX_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
    SOURCE_AUTO,
    SOURCES,
)
from .data import OdooEpaperConfigEntry
from .discovery_flow import SignDiscoverySteps
from .odoo_client import (
    OdooAccessError,
    OdooAuthError,
    OdooClient,
    OdooConnectionError,
    OdooDatabaseError,
    OdooUrlError,
    ServerInfo,
    parse_url,
)
from .options import EpaperOptions
from .wire import is_valid_topic_prefix

_FORM_ERRORS: tuple[tuple[type[Exception], str, str], ...] = (
    (OdooUrlError, CONF_URL, "invalid_url"),
    (OdooConnectionError, "base", "cannot_connect"),
    (OdooAuthError, "base", "invalid_auth"),
    (OdooDatabaseError, "base", "invalid_database"),
    (OdooAccessError, "base", "insufficient_rights"),
)

_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_TEXT = TextSelector(TextSelectorConfig(autocomplete="off"))


def _number_box(low: int, high: int, step: int, unit: str) -> NumberSelector:
    """A number field of the options form: ``low`` to ``high`` in ``step``s of ``unit``."""
    return NumberSelector(
        NumberSelectorConfig(
            min=low, max=high, step=step, mode=NumberSelectorMode.BOX, unit_of_measurement=unit
        )
    )


_USERNAME = TextSelector(TextSelectorConfig(autocomplete="username"))
_PASSWORD = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)


def _login(user_input: Mapping[str, Any]) -> ServerInfo:
    """Log in with the form's values (runs in the executor)."""
    client = OdooClient(
        user_input[CONF_URL],
        user_input[CONF_DATABASE],
        user_input[CONF_USERNAME],
        user_input[CONF_PASSWORD],
    )
    return client.connect()


def _list_databases(url: str) -> list[str] | None:
    """Return the databases the server lists, or None (runs in the executor)."""
    return OdooClient(url, "", "", "").list_databases()


class OdooEpaperConfigFlow(SignDiscoverySteps, domain=DOMAIN):
    """Set up a connection to one Odoo database as one user."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start without a known database list."""
        self._databases: list[str] | None = None

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: OdooEpaperConfigEntry) -> OdooEpaperOptionsFlow:
        """Return the options flow."""
        return OdooEpaperOptionsFlow()

    async def _async_validate(
        self, user_input: dict[str, Any]
    ) -> tuple[ServerInfo | None, dict[str, str]]:
        """Log in; return the server info, or the form errors."""
        user_input[CONF_URL] = str(user_input[CONF_URL]).strip()
        try:
            self._databases = await self.hass.async_add_executor_job(
                _list_databases, user_input[CONF_URL]
            )
            if not user_input.get(CONF_DATABASE) and self._databases:
                if len(self._databases) > 1:
                    return None, {"base": "invalid_database"}
                user_input[CONF_DATABASE] = self._databases[0]
            if not user_input.get(CONF_DATABASE):
                return None, {"base": "invalid_database"}
            return await self.hass.async_add_executor_job(_login, user_input), {}
        except Exception as err:  # every failure becomes a form error
            for kind, key, error in _FORM_ERRORS:
                if isinstance(err, kind):
                    return None, {key: error}
            LOGGER.exception("Unexpected error while logging in to Odoo")
            return None, {"base": "unknown"}

    def _database_selector(self) -> SelectSelector | TextSelector:
        """A drop-down of the server's databases when it lists them, else a text field."""
        if self._databases:
            return SelectSelector(
                SelectSelectorConfig(
                    options=self._databases, custom_value=True, mode=SelectSelectorMode.DROPDOWN
                )
            )
        return _TEXT

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the server, database and credentials."""
        errors: dict[str, str] = {}
        if user_input is not None:
            info, errors = await self._async_validate(user_input)
            if info is not None:
                await self.async_set_unique_id(info.unique_id)
                self._abort_if_unique_id_configured()
                host = parse_url(user_input[CONF_URL]).host
                return self.async_create_entry(
                    title=f"{user_input[CONF_DATABASE]} on {host}",
                    data={
                        CONF_URL: user_input[CONF_URL],
                        CONF_DATABASE: user_input[CONF_DATABASE],
                        CONF_USERNAME: user_input[CONF_USERNAME],
                        CONF_PASSWORD: user_input[CONF_PASSWORD],
                    },
                    options=EpaperOptions().as_dict(),
                )
        values = user_input or {}
        schema = vol.Schema(
            {
                vol.Required(CONF_URL, default=values.get(CONF_URL, vol.UNDEFINED)): _URL,
                vol.Optional(
                    CONF_DATABASE, default=values.get(CONF_DATABASE, vol.UNDEFINED)
                ): self._database_selector(),
                vol.Required(
                    CONF_USERNAME, default=values.get(CONF_USERNAME, vol.UNDEFINED)
                ): _USERNAME,
                vol.Required(CONF_PASSWORD): _PASSWORD,
            }
        )
        return self.async_show_form(step_id="user", data_schema=schema, errors=errors)

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start re-authentication after Odoo refused the stored password."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new password or API key."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            candidate = {**entry.data, CONF_PASSWORD: user_input[CONF_PASSWORD]}
            info, errors = await self._async_validate(candidate)
            if info is not None:
                await self.async_set_unique_id(info.unique_id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_PASSWORD: user_input[CONF_PASSWORD]}
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(CONF_PASSWORD): _PASSWORD}),
            description_placeholders={
                CONF_USERNAME: entry.data[CONF_USERNAME],
                CONF_URL: entry.data[CONF_URL],
            },
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Move the entry to another URL or database (same user name and password)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        values: Mapping[str, Any] = entry.data
        if user_input is not None:
            values = candidate = {**entry.data, **user_input}
            info, errors = await self._async_validate(candidate)
            if info is not None:
                if any(
                    other.unique_id == info.unique_id and other.entry_id != entry.entry_id
                    for other in self._async_current_entries(include_ignore=False)
                ):
                    return self.async_abort(reason="already_configured")
                host = parse_url(candidate[CONF_URL]).host
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=info.unique_id,
                    title=f"{candidate[CONF_DATABASE]} on {host}",
                    data_updates={
                        CONF_URL: candidate[CONF_URL],
                        CONF_DATABASE: candidate[CONF_DATABASE],
                    },
                )
        schema = vol.Schema(
            {
                vol.Required(CONF_URL, default=values[CONF_URL]): _URL,
                vol.Required(
                    CONF_DATABASE, default=values.get(CONF_DATABASE) or vol.UNDEFINED
                ): self._database_selector(),
            }
        )
        return self.async_show_form(step_id="reconfigure", data_schema=schema, errors=errors)


class OdooEpaperOptionsFlow(OptionsFlowWithReload):
    """Change the topic prefix, QoS, polling, schedule source and horizon."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and validate the options."""
        errors: dict[str, str] = {}
        current = EpaperOptions.from_mapping(self.config_entry.options)
        if user_input is not None:
            options = EpaperOptions.from_mapping(user_input)
            errors = self._validate(options)
            if not errors:
                return self.async_create_entry(data=options.as_dict())
            current = options
        schema = vol.Schema(
            {
                vol.Required(CONF_TOPIC_PREFIX, default=current.topic_prefix): _TEXT,
                vol.Required(CONF_QOS, default=str(current.qos)): SelectSelector(
                    SelectSelectorConfig(options=["0", "1", "2"], mode=SelectSelectorMode.LIST)
                ),
                vol.Required(CONF_SCAN_INTERVAL, default=current.scan_interval): _number_box(
                    MIN_SCAN_INTERVAL, MAX_SCAN_INTERVAL, 1, "s"
                ),
                vol.Required(CONF_SOURCE, default=current.source): SelectSelector(
                    SelectSelectorConfig(
                        options=self._source_options(current.source),
                        translation_key=CONF_SOURCE,
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Required(CONF_HORIZON_DAYS, default=current.horizon_days): _number_box(
                    1, MAX_HORIZON_DAYS, 1, "d"
                ),
                vol.Required(CONF_STATUS_MIRROR, default=current.status_mirror): BooleanSelector(),
                vol.Required(CONF_DOOR_ACTIONS, default=list(current.door_actions)): SelectSelector(
                    SelectSelectorConfig(
                        options=list(DOOR_ACTIONS),
                        translation_key=CONF_DOOR_ACTIONS,
                        multiple=True,
                        mode=SelectSelectorMode.LIST,
                    )
                ),
                vol.Required(
                    CONF_MAX_BOOKING_MINUTES, default=current.max_booking_minutes
                ): _number_box(5, MAX_BOOKING_MINUTES, 5, "min"),
            }
        )
        return self.async_show_form(step_id="init", data_schema=schema, errors=errors)

    def _source_options(self, current: str) -> list[str]:
        """``auto``, then the source ids the addon lists (the known ones before the first
        connection), and the current choice even when the addon lists it no more."""
        runtime = getattr(self.config_entry, "runtime_data", None)
        listed = runtime.info.sources if runtime is not None else None
        ids = [SOURCE_AUTO, *(listed if listed is not None else SOURCES)]
        return list(dict.fromkeys([*ids, current]))

    def _validate(self, options: EpaperOptions) -> dict[str, str]:
        """Check the prefix against the contract and the source against the server's models."""
        errors: dict[str, str] = {}
        if not is_valid_topic_prefix(options.topic_prefix):
            errors[CONF_TOPIC_PREFIX] = "invalid_topic_prefix"
        runtime = getattr(self.config_entry, "runtime_data", None)
        if (
            options.source != SOURCE_AUTO
            and runtime is not None
            and runtime.info.source(options.source) is None
        ):
            errors[CONF_SOURCE] = "source_unavailable"
        return errors
