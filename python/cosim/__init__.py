"""cosim from Python: what a DNN costs on an accelerator (docs/python.md).

    import cosim
    report = cosim.run("workloads/vit.json", arch="default")      # the fields of `cosim run --format json`
    report["total"]["cycles"], report["total"]["energy_pJ"]["total"]
    mapping = cosim.map(workload, arch="systolic32")              # what `cosim map --format json` writes
    w = cosim.load_workload("workloads/vit.json")                 # a workload as a dict (checked)
    w = cosim.from_onnx("resnet50.onnx")                          # an ONNX model as a workload
    w = cosim.from_torch(model, torch.randn(1, 3, 224, 224))      # a PyTorch module, through torch.onnx

A workload is a path (a workload file or an .onnx model) or a dict in the workload format
(docs/workload-format.md). Runs on one architecture go to one worker process that elaborates SystemC once
and serves every later run on it; the GIL is released while it simulates. Errors in the inputs raise
cosim.InputError (a ValueError) with the one line `cosim` prints.
"""
import io
import json
import os

from . import _core

InputError = _core.InputError

__all__ = ["run", "map", "load_workload", "from_onnx", "from_torch", "elaborations", "InputError"]


def _is_onnx(path):
    return isinstance(path, (str, os.PathLike)) and os.fspath(path).endswith(".onnx")


def _workload_text(workload, ops=None):
    """(JSON text, name for errors) of a workload given as a path, an ONNX path or a dict."""
    if isinstance(workload, dict):
        return json.dumps(workload), workload.get("name", "<workload>")
    if _is_onnx(workload):
        return _core.import_onnx(os.fspath(workload), ops or ""), os.fspath(workload)
    if isinstance(workload, (str, os.PathLike)):
        path = os.fspath(workload)
        try:
            with open(path, encoding="utf-8") as f:
                return f.read(), path
        except OSError as e:
            raise InputError(f"{path}: cannot read the file ({e.strerror})") from None
    raise TypeError("a workload is a path or a dict, not " + type(workload).__name__)


def load_workload(workload, ops=None):
    """The workload as a dict, checked the way `cosim run` checks it (shapes, sizes, references)."""
    text, name = _workload_text(workload, ops)
    _core.check_workload(text, name)
    return json.loads(text)


def from_onnx(path, ops=None):
    """An ONNX model as a workload dict (what `cosim import` writes); `ops`: an operator rules file."""
    return json.loads(_core.import_onnx(os.fspath(path), ops or ""))


def from_torch(module, example_input, ops=None, opset=14, name=None):
    """A PyTorch module as a workload dict: exported by torch.onnx in memory (shapes only, no weights),
    then imported. `example_input` has a batch dimension of 1."""
    import torch

    buffer = io.BytesIO()
    torch.onnx.export(module, example_input, buffer, export_params=False, opset_version=opset)
    name = name or type(module).__name__
    workload = json.loads(_core.import_onnx_data(buffer.getvalue(), name + ".onnx", ops or ""))
    workload["name"] = name
    return workload


def run(workload, arch="default", mapping=None, objective="edp", ops=None):
    """Maps and simulates a workload; returns the report `cosim run --format json` writes, as a dict.
    `arch`: a preset name or an architecture file; `mapping`: None (the auto-mapper), "fixed" or a mapping
    file; `objective`: latency, energy or edp."""
    text, name = _workload_text(workload, ops)
    return json.loads(_core.run(text, name, os.fspath(arch), objective, os.fspath(mapping or "")))


def map(workload, arch="default", objective="edp", ops=None):
    """The auto-mapper's choice per layer: what `cosim map --format json` writes, as a dict."""
    text, name = _workload_text(workload, ops)
    return json.loads(_core.map(text, name, os.fspath(arch), objective))


def lut(space="cnn_fmnist", arch="default", objective="edp", samples=20, seed=1):
    """Cost table for differentiable NAS: per block and option of a search space (kind cnn), the latency and
    energy it adds on `arch`, simulated in place, and the table's additivity error over `samples` random
    candidates; what `cosim lut --format json` writes, as a dict."""
    if not isinstance(samples, int) or isinstance(samples, bool) or samples < 0:
        raise ValueError("lut: samples must be a whole number >= 0, not %r" % (samples,))
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError("lut: seed must be a whole number >= 0, not %r" % (seed,))
    return json.loads(_core.lut(os.fspath(space), os.fspath(arch), objective, samples, seed))


def elaborations():
    """How many times this process's workers have elaborated a SystemC model (one per architecture run)."""
    return _core.elaborations()
