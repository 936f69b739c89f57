"""numpydoc validation of every public class, method and function."""

import importlib
import inspect

import pytest
from numpydoc.validate import validate

PACKAGES = [
    "sklearn_dl",
    "sklearn_dl.callbacks",
    "sklearn_dl.datasets",
    "sklearn_dl.exceptions",
    "sklearn_dl.forecasting",
    "sklearn_dl.model_selection",
    "sklearn_dl.networks",
    "sklearn_dl.parallel",
    "sklearn_dl.persistence",
    "sklearn_dl.plotting",
    "sklearn_dl.preprocessing",
    "sklearn_dl.progress",
    "sklearn_dl.utils",
]
# As scikit-learn's test_docstrings: no extended summary, "See Also" or
# examples required everywhere, and numpydoc's layout rules left to ruff.
IGNORED = {"GL01", "GL02", "ES01", "SA01", "EX01", "RT02", "YD01", "GL08"}


def public_objects():
    """Dotted names of every public object reachable from the packages."""
    names = []
    for package_name in PACKAGES:
        try:
            package = importlib.import_module(package_name)
        except ImportError:  # a subpackage not written yet
            continue
        for name in getattr(package, "__all__", []):
            if name.startswith("__"):
                continue
            obj = getattr(package, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            qualified = f"{obj.__module__}.{obj.__qualname__}"
            names.append(qualified)
            if inspect.isclass(obj):
                for method_name, method in vars(obj).items():
                    if method_name.startswith("_") or not callable(method):
                        continue
                    names.append(f"{qualified}.{method_name}")
    return sorted(set(names))


@pytest.mark.parametrize("name", public_objects())
def test_docstring_is_valid_numpydoc(name):
    result = validate(name)
    errors = [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code not in IGNORED
    ]
    assert not errors, f"{name}:\n" + "\n".join(errors)
