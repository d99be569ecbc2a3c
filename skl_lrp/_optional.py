"""Optional dependencies, imported when first needed."""

import importlib


def import_optional(module, needed_by):
    """`module` imported, or an ImportError saying that `needed_by` needs it
    and how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(f"{needed_by} needs {module}: pip install {module}") from exc
