"""Files users pass in are never unpickled, and paths never reach a shell.

YAML goes through yaml.safe_load, metadata through json, arrays through
np.load(allow_pickle=False), checkpoints through MindSpore's protobuf reader.
"""
import ast
import glob
import os
import re

from tests.conftest import ROOT

# built by concatenation so that this file does not match itself
FORBIDDEN = ["allow_pickle" + "=True", "yaml" + ".load(", "yaml" + ".unsafe_load", "yaml" + ".full_load",
             "yaml" + ".Loader", "pickle" + ".load", "pickle" + ".loads", "shell" + "=True",
             "os" + ".system(", "os" + ".popen(", "marshal" + ".load", "shelve" + ".open"]


def project_python_files():
    files = glob.glob(os.path.join(ROOT, "*.py"))
    for folder in ("src", "scripts", "tests", "benchmarks"):
        files += glob.glob(os.path.join(ROOT, folder, "**", "*.py"), recursive=True)
    return sorted(set(files))


def _read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_no_unsafe_loading_or_shell():
    files = project_python_files()
    assert any(f.endswith(os.path.join("src", "dataset.py")) for f in files)
    hits = [f"{os.path.relpath(f, ROOT)}: {needle}" for f in files for needle in FORBIDDEN
            if needle in _read(f)]
    assert not hits, hits


def test_every_np_load_refuses_pickles():
    """Outside the tests, np.load says allow_pickle=False explicitly (numpy's default is too,
    but an explicit flag survives a reader who does not know that)."""
    calls = []
    for f in project_python_files():
        if os.sep + "tests" + os.sep in f:
            continue
        for node in ast.walk(ast.parse(_read(f))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "load" and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in ("np", "numpy")):
                flags = {k.arg: getattr(k.value, "value", None) for k in node.keywords}
                calls.append((os.path.relpath(f, ROOT), node.lineno, flags.get("allow_pickle", "missing")))
    assert calls, "expected the embedding table to be read with np.load"
    assert all(flag is False for _, _, flag in calls), calls


def test_shell_scripts_do_not_eval():
    for path in glob.glob(os.path.join(ROOT, "scripts", "*.sh")):
        for line in _read(path).splitlines():
            code = line.split("#", 1)[0]
            assert not re.search(r"(^|[;&|]\s*)eval\s", code.strip()), (path, line)
