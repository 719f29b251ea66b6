"""The floor plan (README, "Where things live"), checked over the source: an app imports only
apps on floors below it, the apps of one floor never import each other, and an import inside a
function says why on its line or the line above.

``leadership``'s project wiring (settings, urls, celery, wsgi) names every app by design and is
left out; everything else in ``leadership`` is the ground-floor kernel."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lowest first. Apps in one tuple share a floor and may not import each other.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("leadership",),
    ("cohorts",),
    ("modules",),
    ("redesign_projects",),
    ("pairings",),
    ("measures",),
    ("blueprints",),
    # Reports sit under the other top-floor apps: subject access and retention (governance)
    # include a person's certificates and documents.
    ("reports",),
    ("home", "governance", "demo", "api"),
)
FLOOR_OF = {app: level for level, apps in enumerate(FLOORS) for app in apps}
PROJECT_WIRING = {"leadership/settings.py", "leadership/urls.py", "leadership/celery.py"}
PROJECT_WIRING |= {"leadership/wsgi.py"}


def _sources():
    for app in FLOOR_OF:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in PROJECT_WIRING:
                continue
            yield app, relative, path


def _imports(tree: ast.AST):
    """(imported module, line, inside a function?) for every absolute import."""

    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, child.lineno, in_function
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                yield child.module, child.lineno, in_function
            elif isinstance(child, ast.ImportFrom):
                yield "." * child.level + (child.module or ""), child.lineno, in_function
            yield from walk(child, inside)

    yield from walk(tree, False)


def _explained(lines: list[str], line: int) -> bool:
    """A comment on the import's line, or on the lines just above its block of imports."""
    if "#" in lines[line - 1]:
        return True
    above = line - 2
    while above >= 0:
        text = lines[above].strip()
        if text.startswith("#"):
            return True
        if text and not text.startswith(("from ", "import ")):
            return False
        above -= 1
    return False


def _violations() -> tuple[list[str], list[str]]:
    upward, unexplained = [], []
    for app, relative, path in _sources():
        text = path.read_text()
        lines = text.splitlines()
        for module, line, in_function in _imports(ast.parse(text)):
            other = module.split(".")[0]
            if other in FLOOR_OF and other != app and FLOOR_OF[other] >= FLOOR_OF[app]:
                upward.append(f"{relative}:{line} imports {module}")
            if in_function and not _explained(lines, line):
                unexplained.append(f"{relative}:{line} imports {module} inside a function")
    return upward, unexplained


def test_apps_import_only_the_floors_below_them():
    upward, _ = _violations()
    assert not upward, "an app imports one on its own floor or above:\n" + "\n".join(upward)


def test_an_import_inside_a_function_says_why():
    _, unexplained = _violations()
    assert not unexplained, "explain or hoist these imports:\n" + "\n".join(unexplained)


@pytest.mark.parametrize("app", sorted(FLOOR_OF))
def test_every_app_is_on_a_floor(app):
    assert (ROOT / app / "apps.py").exists()


def test_every_installed_app_of_ours_is_on_a_floor(settings):
    ours = {name for name in settings.INSTALLED_APPS if (ROOT / name / "apps.py").exists()}
    assert ours == set(FLOOR_OF)


def test_the_check_catches_an_upward_import(tmp_path):
    # The checker itself: a kernel module importing a domain app is reported.
    tree = ast.parse("def f():\n    from cohorts.models import Cohort\n")
    assert [(m, line, inside) for m, line, inside in _imports(tree)] == [
        ("cohorts.models", 2, True)
    ]


def test_no_test_module_imports_another_test_module():
    # Shared set-up lives in tests/worlds.py, tests/<app>/helpers.py and the conftests.
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for module, line, _inside in _imports(ast.parse(path.read_text())):
            if module.rsplit(".", 1)[-1].startswith("test_"):
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not offenders, "\n".join(offenders)
