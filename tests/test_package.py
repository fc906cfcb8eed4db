import importlib.util
import pkgutil

import cnslbp_lib as cl


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
    import re
    import tomllib

    from .conftest import ROOT

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    lock = {
        name.lower().replace("_", "-"): version
        for name, version in re.findall(r"^([\w.-]+)==(\S+)$", (ROOT / "requirements.lock").read_text(), re.M)
    }
    for pin in pins:
        name, version = pin.split("==")
        assert lock.get(name.lower().replace("_", "-")) == version, f"{pin} is not in requirements.lock"
