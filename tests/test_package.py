import importlib.util
import pkgutil
import re

import cnslbp_lib as cl

from .conftest import ROOT


def test_no_public_name_hides_a_module_of_the_same_name():
    modules = {module.name for module in pkgutil.iter_modules(cl.__path__)}
    assert not modules & set(cl.__all__), "cl.<name> would give the function, not the module"


def test_every_public_name_is_exported_and_documented():
    for name in cl.__all__:
        value = getattr(cl, name)
        if callable(value):
            assert value.__doc__, f"{name} has no docstring"
    assert importlib.util.find_spec("cnslbp_lib.cli") is not None


def test_every_pinned_dependency_is_in_the_lock_file_at_the_same_version():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    lock = {
        name.lower().replace("_", "-"): version
        for name, version in re.findall(r"^([\w.-]+)==(\S+)$", (ROOT / "requirements.lock").read_text(), re.M)
    }
    for pin in pins:
        name, version = pin.split("==")
        assert lock.get(name.lower().replace("_", "-")) == version, f"{pin} is not in requirements.lock"


def test_the_architecture_map_names_every_module_and_only_modules_that_exist():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    modules = {
        str(path.relative_to(ROOT / "cnslbp_lib"))
        for path in (ROOT / "cnslbp_lib").rglob("*.py")
        if path.name != "__init__.py"
    }
    named = set(re.findall(r"`((?:[a-z_]+/)*[a-z_]+\.py)`", text))
    # charts modules are named together in one row
    named |= {
        f"publish/charts/{name}" for name in re.findall(r"`([a-z_]+\.py)`", text) if f"publish/charts/{name}" in modules
    }
    assert modules - named == set(), "modules missing from the map in CONTRIBUTING.md"
    layers = ("data/", "stats/", "paper/", "publish/")
    assert {name for name in named if name.startswith(layers)} - modules == set(), "the map names modules that are gone"
