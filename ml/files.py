"""Reading the small JSON files of the pipelines with errors that name the file."""
from __future__ import annotations

import json
from pathlib import Path

from model.errors import InputError, at_line


def read_json(path, what: str = "file"):
    """The JSON value in ``path``; InputError for a missing file or bad JSON."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, f"{what} not found" if not path.exists() else "not a file")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(path, "not UTF-8 text", f"byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"bad JSON: {exc.msg}", at_line(exc.lineno)) from None
