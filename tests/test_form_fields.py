"""Every ModelForm lists the fields it accepts: never ``"__all__"``, never ``exclude``. A model
field added later (``is_staff``, ``status``…) then cannot become writable by accident."""

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from django import forms

APPS = (
    "leadership",
    "cohorts",
    "modules",
    "redesign_projects",
    "pairings",
    "measures",
    "reports",
    "home",
    "governance",
    "demo",
    "api",
)
ROOT = Path(__file__).resolve().parent.parent
FACTORIES = {"modelform_factory", "modelformset_factory", "inlineformset_factory"}


def _modules():
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" in info.name or info.name.endswith(".wsgi"):
                continue
            yield importlib.import_module(info.name)


def _model_forms():
    seen = {}
    for module in _modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, forms.ModelForm)
                and cls.__module__.split(".")[0] in APPS
                and getattr(cls, "Meta", None) is not None
                and getattr(cls.Meta, "model", None) is not None
            ):
                seen[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return seen


MODEL_FORMS = _model_forms()


def test_the_apps_have_model_forms_to_check():
    assert len(MODEL_FORMS) >= 10, sorted(MODEL_FORMS)


@pytest.mark.parametrize("name", sorted(MODEL_FORMS))
def test_each_model_form_lists_its_fields(name):
    meta = MODEL_FORMS[name].Meta
    fields = getattr(meta, "fields", None)
    assert isinstance(fields, list | tuple) and fields, f"{name}: list Meta.fields explicitly"
    assert not hasattr(meta, "exclude"), f"{name}: no Meta.exclude"


def _python_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_form_factories_are_given_a_list_of_fields():
    """``modelformset_factory(Model, fields=[...])`` and friends: the same rule."""
    problems, calls = [], 0
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in FACTORIES:
                continue
            calls += 1
            keywords = {k.arg: k.value for k in node.keywords}
            if "exclude" in keywords or not isinstance(
                keywords.get("fields"), ast.List | ast.Tuple
            ):
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert calls, "expected at least the programme's module formset"
    assert not problems, f"give fields=[...] and no exclude= at {problems}"
