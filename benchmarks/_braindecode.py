"""Import braindecode for the benchmarks that measure it beside biosig.

braindecode imports torchaudio for layers none of the compared networks uses;
where the installed torchaudio cannot load against this torch (no build
matches every torch on CPU), a stand-in whose members raise when used lets the
package import, and is taken out of ``sys.modules`` again after.
"""

import importlib
import sys
import types
import warnings

__all__ = ["import_braindecode"]


def _stand_in():
    import torch

    def unavailable(name):
        def init(self, *args, **kwargs):
            raise NotImplementedError(f"torchaudio.{name} cannot be loaded here")
        return type(name.rsplit(".", 1)[-1], (torch.nn.Module,), {"__init__": init})

    root = types.ModuleType("torchaudio")
    root.__path__ = []
    modules = {"torchaudio": root}
    for sub in ("functional", "transforms"):
        module = types.ModuleType(f"torchaudio.{sub}")
        module.__getattr__ = lambda attr, sub=sub: unavailable(f"{sub}.{attr}")
        setattr(root, sub, module)
        modules[f"torchaudio.{sub}"] = module
    return modules


def import_braindecode():
    """``braindecode`` with its ``models`` and ``classifier`` modules loaded.

    Raises
    ------
    ImportError
        Where braindecode (or torch) is not installed.
    """
    importlib.import_module("torch")
    stand_in = {}
    try:
        for sub in ("functional", "transforms"):
            importlib.import_module(f"torchaudio.{sub}")
    except (ImportError, OSError):
        for key in [k for k in sys.modules if k == "torchaudio" or k.startswith("torchaudio.")]:
            del sys.modules[key]
        stand_in = _stand_in()
        sys.modules.update(stand_in)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            braindecode = importlib.import_module("braindecode")
            importlib.import_module("braindecode.models")
            importlib.import_module("braindecode.classifier")
        return braindecode
    finally:
        for key in stand_in:
            sys.modules.pop(key, None)
