"""Check the report in a real browser: Debian's headless Chromium through Selenium and
chromedriver (``pip install selenium``, the dev extra; ``apt-get install chromium
chromium-driver``, scripts/setup.sh).

``check_page(index_html, screenshot)`` loads the page from disk and returns what it
found: console messages at level SEVERE, local links whose file does not exist (and
``#anchors`` with no element), images that did not load (naturalWidth 0), the verdict
text of each plan and stage as shown, and the page's title; it saves a screenshot of the
whole page. ``problems`` lists everything wrong in one line each.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
DRIVER = ("chromedriver",)
MAX_SHOT_HEIGHT = 16000     # px; a longer page is cut there (Chromium's texture limit)
WIDTH = 1400


def _which(names) -> str | None:
    for n in names:
        path = shutil.which(n) or (f"/usr/bin/{n}" if Path(f"/usr/bin/{n}").is_file() else None)
        if path:
            return path
    return None


def available() -> str | None:
    """None when a page can be checked here, else why not."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    if _which(CHROMIUM) is None:
        return "chromium is not installed (apt-get install chromium)"
    if _which(DRIVER) is None:
        return "chromedriver is not installed (apt-get install chromium-driver)"
    return None


def _driver(profile: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = _which(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--no-first-run",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                f"--user-data-dir={profile}", f"--window-size={WIDTH},1000"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=_which(DRIVER)), options=opts)


def _screenshot(driver, path: Path, height: int) -> None:
    """The whole page (up to MAX_SHOT_HEIGHT), through the DevTools protocol."""
    import base64

    height = max(1, min(height, MAX_SHOT_HEIGHT))
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1}})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


_COLLECT = """
const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
const images = Array.from(document.images).map(
    i => ({src: i.src.slice(0, 60), ok: i.complete && i.naturalWidth > 0, w: i.naturalWidth}));
const verdicts = Array.from(document.querySelectorAll('.verdict[data-plan]')).map(
    e => ({plan: e.dataset.plan, stage: e.dataset.stage, text: e.textContent.trim()}));
const highest = Array.from(document.querySelectorAll('.verdict-line[data-plan]')).map(
    e => ({plan: e.dataset.plan, highest: e.dataset.highest, text: e.textContent.trim()}));
const ids = Array.from(document.querySelectorAll('[id]')).map(e => e.id);
return JSON.stringify({links, images, verdicts, highest, ids, title: document.title,
                       height: document.documentElement.scrollHeight});
"""


def check_page(index_html: Path, screenshot: Path | None = None) -> dict:
    """Load ``index_html`` in headless Chromium and check it (see the module's text)."""
    why = available()
    if why:
        return {"problems": [f"cannot check the page: {why}"], "checked": False}
    index_html = Path(index_html).resolve()
    profile = tempfile.mkdtemp(prefix="spikedv-chromium-")
    driver = _driver(profile)
    try:
        driver.get(index_html.as_uri())
        found = json.loads(driver.execute_script(_COLLECT))
        console = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        if screenshot is not None:
            _screenshot(driver, Path(screenshot), int(found["height"]))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    broken, anchors = [], set(found["ids"])
    for href in found["links"]:
        url = urlparse(href)
        if url.scheme != "file":
            continue
        path = Path(unquote(url.path))
        if path == index_html and url.fragment:
            if url.fragment not in anchors:
                broken.append(f"#{url.fragment}")
        elif not path.exists():
            broken.append(os.path.relpath(path, index_html.parent))
    bad_images = [i for i in found["images"] if not i["ok"]]
    problems = [f"console: {e.get('message')}" for e in console]
    problems += [f"link to a missing file: {b}" for b in broken]
    problems += [f"image did not load: {i['src']}..." for i in bad_images]
    return {"checked": True, "console": console, "broken_links": broken,
            "images": found["images"], "bad_images": bad_images,
            "verdicts": found["verdicts"], "highest": found["highest"],
            "links": found["links"], "title": found["title"], "problems": problems}


def verdict_mismatches(found: dict, signoff: dict) -> list[str]:
    """Where the verdict the page shows differs from signoff.json's."""
    out = []
    shown = {(v["plan"], v["stage"]): v["text"] for v in found.get("verdicts", [])}
    for plan, v in signoff["verdict"].items():
        for stage, cell in v["stages"].items():
            want = "met" if cell["met"] else "not met"
            got = shown.get((plan, stage))
            if got != want:
                out.append(f"{plan} {stage}: page shows {got!r}, signoff.json says {want!r}")
        line = next((h for h in found.get("highest", []) if h["plan"] == plan), None)
        want_h = v["stage"] or "none"
        if line is None or line["highest"] != want_h:
            out.append(f"{plan}: highest stage on the page "
                       f"{None if line is None else line['highest']!r}, signoff.json {want_h!r}")
        elif (v["stage"] and f"{v['stage']} met" not in line["text"]) or \
                (not v["stage"] and "no stage met" not in line["text"]):
            out.append(f"{plan}: verdict text {line['text']!r} does not say {want_h}")
    return out
