"""index.html from signoff.json's figures and the plots, through the Jinja2 template
``templates/index.html.j2`` (autoescaped; no script, so nothing can fail in the
browser's console)."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"


def pct(value, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}%"


def num(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def figure(fig) -> str:
    """``97.3% (1234/1268)`` of a {hit, total, percent} figure."""
    if not fig or fig.get("percent") is None:
        return "-"
    return f"{fig['percent']:.1f}% ({fig['hit']:,}/{fig['total']:,})"


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(pct=pct, num=num, figure=figure)
    return env


def render_page(signoff: dict, plots: list[dict]) -> str:
    return environment().get_template("index.html.j2").render(
        s=signoff, plots={p["name"]: p for p in plots},
        stages=("V1", "V2", "V3"), engines=("icarus", "verilator", "python"),
        kinds=("line", "branch", "toggle"))
