"""Drive a real Home Assistant through its own HTTP and websocket APIs: onboarding, flows."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import aiohttp

CLIENT_ID = "http://127.0.0.1/"
OWN_DOMAINS = ("mqtt", "odoo_epaper")  # the demo sets these up: never removed
# What onboarding sets up that needs the internet (homeassistant.components.onboarding).
ONLINE_DOMAINS = ("google_translate", "radio_browser")
# homeassistant.config_entries.ConfigEntryState values the integrations page shows as failing.
FAILED_STATES = ("setup_error", "setup_retry", "migration_error", "failed_unload")


class HomeAssistantApi:
    """A small synchronous client of a Home Assistant instance's HTTP API."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token: str | None = None
        self.tokens: dict[str, Any] = {}  # the last /auth/token answer (for a browser)

    def _request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
    ) -> Any:
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 - the demo's own loopback URL
            self.base_url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                text = response.read().decode()
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")
            raise RuntimeError(f"{method} {path} answered {err.code}: {detail}") from err
        return json.loads(text) if text else None

    def is_up(self) -> bool:
        """Whether the HTTP server answers the onboarding status."""
        try:
            self._request("GET", "/api/onboarding")
        except (OSError, RuntimeError):
            return False
        return True

    def onboard(self, name: str, username: str, password: str) -> None:
        """Create the owner, log in and finish every onboarding step."""
        steps = {step["step"]: step["done"] for step in self._request("GET", "/api/onboarding")}
        if steps.get("user"):
            self.login(username, password)
        else:
            answer = self._request(
                "POST",
                "/api/onboarding/users",
                {
                    "client_id": CLIENT_ID,
                    "name": name,
                    "username": username,
                    "password": password,
                    "language": "en",
                },
            )
            self._token_from_code(answer["auth_code"])
        if not steps.get("core_config"):
            self._request("POST", "/api/onboarding/core_config", {})
        if not steps.get("analytics"):
            self._request("POST", "/api/onboarding/analytics", {})
        if not steps.get("integration"):
            self._request(
                "POST",
                "/api/onboarding/integration",
                {"client_id": CLIENT_ID, "redirect_uri": CLIENT_ID},
            )

    def login(self, username: str, password: str) -> None:
        """Log in with the login flow of the homeassistant auth provider."""
        flow = self._request(
            "POST",
            "/auth/login_flow",
            {
                "client_id": CLIENT_ID,
                "handler": ["homeassistant", None],
                "redirect_uri": CLIENT_ID,
            },
        )
        result = self._request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": CLIENT_ID, "username": username, "password": password},
        )
        if result.get("type") != "create_entry":
            raise RuntimeError(f"login refused: {result.get('errors')}")
        self._token_from_code(result["result"])

    def _token_from_code(self, code: str) -> None:
        answer = self._request(
            "POST",
            "/auth/token",
            form={"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID},
        )
        self.token = answer["access_token"]
        self.tokens = dict(answer)

    def config_entries(self, domain: str) -> list[dict[str, Any]]:
        """Return the config entries of a domain."""
        entries = self._request("GET", f"/api/config/config_entries/entry?domain={domain}")
        return list(entries)

    def remove_unusable_entries(self) -> list[str]:
        """Delete the config entries that cannot work offline: those onboarding adds that
        need the internet (:data:`ONLINE_DOMAINS`, whatever their state: Radio Browser
        takes a while to fail) and any other whose setup failed or waits to retry, except
        the demo's own (MQTT and Odoo E-Paper); return their titles.

        On a loopback-only demo they would show as "Failed to set up" or "Retrying setup"
        beside the door signs.
        """
        removed = []
        for entry in self._request("GET", "/api/config/config_entries/entry"):
            if entry.get("domain") in OWN_DOMAINS:
                continue
            failed = entry.get("state") in FAILED_STATES
            if failed or entry.get("domain") in ONLINE_DOMAINS:
                self._request("DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}")
                removed.append(str(entry.get("title")))
        return removed

    def assert_entries_set_up(self) -> None:
        """Fail when a config entry shows as failed or retrying on the integrations page
        (what a new user would see beside the door signs). Raises RuntimeError."""
        entries = self._request("GET", "/api/config/config_entries/entry")
        failing = [
            f"{entry.get('title')} ({entry.get('domain')}: {entry.get('state')})"
            for entry in entries
            if entry.get("state") in FAILED_STATES
        ]
        if failing:
            raise RuntimeError("config entries not set up: " + ", ".join(failing))

    def run_config_flow(self, handler: str, answers: list[dict[str, Any]]) -> dict[str, Any]:
        """Start a config flow and answer its forms in order; return the final result.

        Sections of a form the answer leaves out (e.g. the ``other_settings`` that Home
        Assistant's MQTT form requires since 2026.7) are sent with the form's own defaults,
        as the frontend does when the user leaves a collapsed section closed.
        """
        result = self._request("POST", "/api/config/config_entries/flow", {"handler": handler})
        for answer in answers:
            if result.get("type") != "form":
                break
            filled = {**section_defaults(result.get("data_schema") or []), **answer}
            result = self._request(
                "POST", f"/api/config/config_entries/flow/{result['flow_id']}", filled
            )
        if result.get("type") != "create_entry":
            raise RuntimeError(f"config flow {handler} did not finish: {result}")
        return dict(result)

    def flows_in_progress(self, handler: str) -> list[dict[str, Any]]:
        """Return the config flows of ``handler`` in progress (discovered cards among them).

        Only the websocket API lists them (``config_entries/flow/progress``), as for the
        frontend's "Discovered" cards.
        """
        flows = asyncio.run(self._websocket_command({"type": "config_entries/flow/progress"}))
        return [flow for flow in flows if flow.get("handler") == handler]

    async def _websocket_command(self, command: dict[str, Any]) -> Any:
        """Send one command over Home Assistant's websocket API and return its result."""
        url = self.base_url.replace("http://", "ws://", 1) + "/api/websocket"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
            await socket.receive_json()  # auth_required
            await socket.send_json({"type": "auth", "access_token": self.token})
            answer = await socket.receive_json()
            if answer.get("type") != "auth_ok":
                raise RuntimeError(f"websocket login refused: {answer}")
            await socket.send_json({"id": 1, **command})
            answer = await socket.receive_json()
        if not answer.get("success"):
            raise RuntimeError(f"websocket {command['type']} failed: {answer}")
        return answer["result"]

    def assert_frontend_loads(self) -> None:
        """Run the websocket commands Home Assistant's frontend sends before it draws a page.

        ``get_services`` imports the base entity components (conversation, camera, tts...)
        to read their services: a Python package one of them needs that is missing leaves
        every page at "Loading..." while the integrations run. Raises RuntimeError naming
        the command that failed.
        """
        for command in ("get_config", "get_panels", "get_states", "get_services"):
            asyncio.run(self._websocket_command({"type": command}))

    def confirm_http_settings(self) -> bool:
        """Confirm the HTTP settings Home Assistant started with (its "Confirm" dialog).

        Since 2026.11 Home Assistant moves ``http:`` from YAML into its storage as a
        *pending* trial and, unless a user confirms it within 5 minutes, restarts on the
        stable settings (port 8123 on every interface for a new configuration). Returns
        True when there was a pending configuration to confirm. Raises RuntimeError when
        Home Assistant refuses.
        """
        config = asyncio.run(self._websocket_command({"type": "http/config"}))
        if config.get("pending") is None:
            return False
        asyncio.run(self._websocket_command({"type": "http/config/promote"}))
        return True

    def assert_http_settings_kept(self) -> None:
        """Raise RuntimeError when Home Assistant would still revert its HTTP settings."""
        config = asyncio.run(self._websocket_command({"type": "http/config"}))
        if config.get("revert_at") is not None or config.get("pending") is not None:
            raise RuntimeError(f"Home Assistant will revert its HTTP settings: {config}")

    def answer_flow(self, flow_id: str, answer: dict[str, Any]) -> dict[str, Any]:
        """Submit one form of a flow; return Home Assistant's answer."""
        return dict(self._request("POST", f"/api/config/config_entries/flow/{flow_id}", answer))

    def states(self) -> list[dict[str, Any]]:
        """Return every entity state."""
        return list(self._request("GET", "/api/states"))


def section_defaults(fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return ``{section: {field: value}}`` for a form's sections (type ``expandable``).

    A section's required fields get their default, or the frontend's empty value for
    their selector (``False`` for a boolean, the first option of a select); optional
    fields without a default are left out. ``fields`` is a form's serialized
    ``data_schema``.
    """
    sections: dict[str, dict[str, Any]] = {}
    for field in fields:
        if field.get("type") != "expandable":
            continue
        values: dict[str, Any] = {}
        for inner in field.get("schema", []):
            if "default" in inner:
                values[inner["name"]] = inner["default"]
            elif inner.get("required"):
                selector = inner.get("selector") or {}
                if "boolean" in selector:
                    values[inner["name"]] = False
                elif "select" in selector and selector["select"].get("options"):
                    first = selector["select"]["options"][0]
                    values[inner["name"]] = first["value"] if isinstance(first, dict) else first
        sections[field["name"]] = values
    return sections
