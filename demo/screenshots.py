"""Screenshots for the README's "Add a door sign": the discovered card, the Odoo form.

Runs the demo (``demo.__main__.Demo``: Mosquitto, the Odoo stand-in, satellites, a real
Home Assistant), waits for the "New door sign" card of the sign Odoo does not know, and
photographs Home Assistant's integrations page in headless Chromium (selenium with
Debian's ``chromium`` and ``chromium-driver``; install them and ``pip install selenium``
for this script only). With ``--odoo-url`` it also photographs the display form of a real
Odoo 18 that has the addon installed (``--odoo-db``, ``--odoo-login``, ``--odoo-password``,
``--odoo-display``). Writes ``docs/images/add-sign-*.png``.

    scripts/py314 .venv/bin/python -m demo.screenshots [--odoo-url http://127.0.0.1:8069 ...]
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from demo import adopt
from demo.__main__ import HA_PASSWORD, HA_USER, ROOT, Demo

IMAGES = ROOT / "docs" / "images"
# The page's text and a click on a button by its label, through every shadow root.
DEEP_TEXT = (
    "function walk(n){let t='';if(n.shadowRoot)t+=walk(n.shadowRoot);"
    "for(const c of n.childNodes){t+=c.nodeType===3?c.textContent:walk(c);}return t;}"
    "return walk(document.body);"
)
DEEP_CLICK = (
    "function find(n,label){for(const c of [...(n.shadowRoot?n.shadowRoot.children:[]),"
    "...n.children]){if(/BUTTON$/.test(c.tagName)&&c.textContent.trim().toLowerCase()===label)"
    "return c;const f=find(c,label);if(f)return f;}return null;}"
    "const b=find(document.body,arguments[0].toLowerCase());if(b){b.click();return true;}"
    "return false;"
)
LOG = logging.getLogger("demo.screenshots")


def browser(width: int, height: int) -> Any:
    """A headless Chromium driven by selenium (imported here: only this script needs it)."""
    from selenium import webdriver  # noqa: PLC0415
    from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--window-size={width},{height}", "--lang=en-US",
    ):  # fmt: skip
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}")
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def ha_card(demo: Demo, out: Path, timeout: float) -> None:
    """Photograph the integrations page with the discovered card of the new sign."""
    assert demo.api
    adopt.wait_for_card(demo.api, timeout)
    demo.api.login(HA_USER, HA_PASSWORD)
    tokens = {
        **demo.api.tokens,
        "hassUrl": demo.ha_url,
        "clientId": f"{demo.ha_url}/",
        "expires": int(time.time() * 1000) + 1800 * 1000,
    }
    driver = browser(1100, 640)
    try:
        driver.get(f"{demo.ha_url}/auth/authorize")
        driver.execute_script(
            "localStorage.setItem('hassTokens', arguments[0]);", json.dumps(tokens)
        )
        driver.get(f"{demo.ha_url}/config/integrations/dashboard")
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = driver.execute_script(DEEP_TEXT)
            if "New door sign" in text and "lobby-2" in text:
                break
            time.sleep(0.5)
        else:
            seen = out.with_name("add-sign-timeout.png")
            driver.save_screenshot(str(seen))
            raise TimeoutError(
                f"the discovered card never showed in the browser ({seen}): {text[:300]!r}"
            )
        time.sleep(1.5)  # fonts and icons settle
        driver.save_screenshot(str(out))
        LOG.info("wrote %s", out)
        driver.execute_script(DEEP_CLICK, "Add")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "Choose its room" in driver.execute_script(DEEP_TEXT):
                break
            time.sleep(0.5)
        else:
            raise TimeoutError("the card's form never opened")
        time.sleep(1.5)
        form = out.with_name("add-sign-form.png")
        driver.save_screenshot(str(form))
        LOG.info("wrote %s", form)
    finally:
        driver.quit()


def odoo_form(args: argparse.Namespace, out: Path) -> None:
    """Photograph the display form of a real Odoo with the addon (after a web login)."""
    driver = browser(1200, 900)
    try:
        driver.get(f"{args.odoo_url}/web/login?db={args.odoo_db}")
        answer = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch('/web/session/authenticate', {method: 'POST',"
            " headers: {'Content-Type': 'application/json'},"
            " body: JSON.stringify({jsonrpc: '2.0', params: {db: arguments[0],"
            " login: arguments[1], password: arguments[2]}})})"
            ".then(r => r.json()).then(done, e => done({error: String(e)}));",
            args.odoo_db,
            args.odoo_login,
            args.odoo_password,
        )
        if "error" in answer:
            raise RuntimeError(f"Odoo login refused: {answer['error']}")
        driver.get(
            f"{args.odoo_url}/odoo/action-connection_conf.room_rasp_connection_action/"
            f"{args.odoo_display}"
        )
        time.sleep(5)
        driver.save_screenshot(str(out))
    finally:
        driver.quit()
    LOG.info("wrote %s", out)


def main(argv: list[str] | None = None) -> int:
    """Take the pictures; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument("--odoo-url")
    parser.add_argument("--odoo-db", default="odoo")
    parser.add_argument("--odoo-login", default="admin")
    parser.add_argument("--odoo-password", default="admin")
    parser.add_argument("--odoo-display", type=int, default=1, help="display record id")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="screenshots: %(message)s")
    IMAGES.mkdir(parents=True, exist_ok=True)
    if args.odoo_url:
        odoo_form(args, IMAGES / "add-sign-odoo-form.png")
    with tempfile.TemporaryDirectory(prefix="odoo-epaper-shots-") as folder:
        demo = Demo(Path(folder))
        try:
            demo.start_broker()
            demo.start_odoo()
            demo.start_satellites()
            demo.start_home_assistant(args.timeout)
            demo.configure_home_assistant()
            ha_card(demo, IMAGES / "add-sign-discovered.png", args.timeout)
        finally:
            demo.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
