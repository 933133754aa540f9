"""Run at the start of every Python child of a test (first on its PYTHONPATH): the test's gates.

First the `sitecustomize` this one hides, if the environment has one, as it would have run (its
error, if any, stays an error); then, over whatever it set, the network guard
(`tested_docs.netguard`) and the test's warning rules (`tested_docs.warning_gate`).
"""

import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)


def _load_gates() -> None:
    if importlib.util.find_spec("tested_docs") is None:  # a Python without this project installed
        sys.path.append(str(Path(HERE).parents[1]))
    from tested_docs import netguard, warning_gate

    if os.environ.get(netguard.LOG_ENV):
        netguard.guard_this_process(os.environ[netguard.LOG_ENV])
    warning_gate.install_from_env()


def _chain() -> None:
    """Run the next `sitecustomize` on sys.path, the one the environment had."""
    others = [p for p in sys.path if str(Path(p or ".").resolve()) != HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", others)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module  # as if it had been the one imported
    spec.loader.exec_module(module)


try:
    _chain()
finally:
    _load_gates()
