"""The package's folders are its layers, and imports run one way (README, "How the code is
organised"): a module may import from its own layer and the layers below it, never above."""

import ast

from conftest import ROOT

PACKAGE = ROOT / "src" / "lecun_site"
# lowest first; modules at the top of the package are named without a folder
LAYERS = [
    {"errors", "records", "values", "urls", "parallel", "theme", "__init__"},
    {"content"},
    {"site"},
    {"render"},
    {"build", "importer", "check", "scaffold"},
    {"serve"},
    {"cli", "__main__"},
]


def layer_of(parts: tuple[str, ...]) -> int:
    name = parts[0].removesuffix(".py")
    for number, members in enumerate(LAYERS):
        if name in members:
            return number
    raise AssertionError(f"{'/'.join(parts)} is in no layer: add it to LAYERS and to README's module map")


def imported_modules(path, package=PACKAGE):
    """(lecun_site-relative parts of each module `path` imports, line)."""
    here = path.relative_to(package).parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[: len(here) - node.level + 1]
            target = (*base, *(node.module.split(".") if node.module else ()))
            if node.module:
                yield target, node.lineno
            else:
                for alias in node.names:
                    module = package.joinpath(*target, alias.name)
                    if module.is_dir() or module.with_suffix(".py").is_file():
                        yield (*target, alias.name), node.lineno
                    else:  # a name defined in the package's __init__.py
                        yield (*target, "__init__"), node.lineno
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if name.startswith("lecun_site."):
                    yield tuple(name.split(".")[1:]), node.lineno


def upward_imports(package=PACKAGE) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).parts
        mine = layer_of(parts)
        for target, line in imported_modules(path, package):
            if target and layer_of(target) > mine:
                found.append(f"{'/'.join(parts)}:{line} imports {'.'.join(target)}")
    return found


def test_imports_run_one_way():
    upward = upward_imports()
    assert not upward, "imports that run upward:\n" + "\n".join(upward)


def test_the_check_sees_an_upward_import(tmp_path):
    """The test above can fail: a module of content/ importing the build core, relatively or
    absolutely, inside a function or not, is caught; importing downward is not."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "loader.py").write_text(
        "from ..errors import Problems\n"
        "def load():\n    from ..build.core import run\n"
        "import lecun_site.serve.session\n", encoding="utf-8")
    assert sorted(upward_imports(tmp_path)) == ["content/loader.py:3 imports build.core",
                                                "content/loader.py:4 imports serve.session"]
