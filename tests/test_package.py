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
