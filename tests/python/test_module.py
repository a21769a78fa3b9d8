"""The Python module (`import cosim`, docs/python.md) against the command line it stands beside: the same
reports, mappings, imports and error lines; one elaboration per architecture however many runs; the GIL
released while simulating."""
import json
import os
import subprocess
import threading

import pytest

import cosim

COSIM = os.environ["COSIM"]
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cli(*args, code=0):
    r = subprocess.run([COSIM, *args], capture_output=True, text=True, cwd=SRC)
    assert r.returncode == code, r.stderr
    return r


def small_cnn(width, blocks):
    """A workload dict: a stem and `blocks` convolutions of `width` channels, then a classifier."""
    layers = [{"name": "stem", "type": "conv2d", "out_channels": width, "kernel": 3, "padding": 1}]
    for b in range(blocks):
        layers += [{"name": f"c{b}", "type": "conv2d", "out_channels": width, "kernel": 3, "padding": 1},
                   {"name": f"r{b}", "type": "relu"}]
    layers += [{"name": "gap", "type": "pool", "mode": "global_avg"},
               {"name": "fc", "type": "linear", "out_features": 10}]
    return {"format": "cosim-workload/1", "name": f"cnn_w{width}_b{blocks}", "input": {"shape": [3, 16, 16], "bits": 8},
            "defaults": {"op": "mult", "bits": {"mult": {"act": 8, "weight": 8}}}, "layers": layers}


def test_run_returns_what_the_command_line_writes():
    for workload, arch in [("workloads/resnet20_hybrid.json", "default"), ("workloads/vit.json", "systolic32")]:
        path = os.path.join(SRC, workload)
        assert cosim.run(path, arch=arch) == json.loads(cli("run", path, "--arch", arch, "--format", "json").stdout)


def test_map_returns_what_the_command_line_writes():
    mine = cosim.map(os.path.join(SRC, "workloads/deit_tiny.json"))
    theirs = json.loads(cli("map", "workloads/deit_tiny.json", "--format", "json").stdout)
    for m in (mine, theirs):
        m.pop("seconds")  # how long the search took
        m.pop("workload")
    assert mine == theirs


def test_workloads_load_from_paths_and_dicts_and_run_from_either():
    path = os.path.join(SRC, "workloads/resnet20_hybrid.json")
    w = cosim.load_workload(path)
    assert w["name"] == json.load(open(path))["name"]
    assert cosim.run(w)["total"] == cosim.run(path)["total"]


def test_input_errors_raise_with_the_line_the_command_line_prints(tmp_path):
    bad = small_cnn(8, 1)
    bad["layers"][1]["kernel"] = 40
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    line = cli("run", str(path), code=2).stderr.strip()
    with pytest.raises(cosim.InputError) as e:
        cosim.run(str(path))
    assert line == "cosim: error: " + str(e.value)
    assert "/layers/1/kernel" in str(e.value)
    with pytest.raises(cosim.InputError, match="nope: no such file or arch preset"):
        cosim.run(small_cnn(8, 1), arch="nope")
    with pytest.raises(ValueError):  # cosim.InputError is a ValueError
        cosim.load_workload(str(tmp_path / "missing.json"))


def test_a_hundred_runs_of_different_networks_on_one_architecture_elaborate_once():
    before = cosim.elaborations()
    archs_before = len(cosim._core.architectures())
    cycles = set()
    for i in range(100):
        cycles.add(cosim.run(small_cnn(4 + 4 * (i % 10), 1 + i // 10), arch="eyeriss_like")["total"]["cycles"])
    assert len(cycles) == 100  # every network is different
    added = cosim.elaborations() - before
    assert added == 1 and len(cosim._core.architectures()) == archs_before + 1
    cosim.run(small_cnn(8, 1), arch="vitcod_like")
    assert cosim.elaborations() - before == 2


def test_onnx_and_torch_models_import_as_the_command_line_does(tmp_path):
    torch = pytest.importorskip("torch")  # Debian's python3-torch: installed by scripts/setup.sh
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
                                torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(8, 10)).eval()
    x = torch.randn(1, 3, 16, 16)
    path = str(tmp_path / "small.onnx")
    torch.onnx.export(model, x, path, export_params=False, opset_version=14)
    imported = json.loads(cli("import", path).stdout)
    assert cosim.from_onnx(path) == imported
    w = cosim.from_torch(model, x, name="small")
    assert [l["type"] for l in w["layers"]] == [l["type"] for l in imported["layers"]]
    assert cosim.run(w)["total"]["macs"] == 16 * 16 * 8 * 27 + 8 * 10


def test_the_gil_is_released_while_a_worker_simulates(tmp_path):
    """The run's mapping file is a FIFO that this thread writes only while the run is under way in another
    thread: the worker process waits for it, so the run can finish only if it lets this thread run Python
    meanwhile. Were the GIL held, neither could go on: after 120 s a watchdog process gives the worker an
    empty mapping file, the run fails, and so does the test."""
    w = small_cnn(8, 2)
    mapping = json.dumps(cosim.map(w)).encode()
    fifo = str(tmp_path / "mapping.fifo")
    os.mkfifo(fifo)
    watchdog = subprocess.Popen(["/bin/sh", "-c", 'sleep 120; exec 3> "$0"', fifo])
    result = {}

    def work():
        try:
            result["report"] = cosim.run(w, mapping=fifo)
        except cosim.InputError as e:
            result["error"] = str(e)

    t = threading.Thread(target=work)
    t.start()
    fd = None
    while fd is None and t.is_alive():  # until the worker opens the FIFO to read the mapping
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            pass
    if fd is not None:
        os.set_blocking(fd, True)
        os.write(fd, mapping)
        os.close(fd)
    t.join()
    watchdog.kill()
    assert fd is not None and "report" in result, result
    assert result["report"]["total"] == cosim.run(w)["total"]


def test_lut_returns_what_the_command_line_writes_and_runs_in_the_architectures_worker():
    elaborated = cosim.elaborations()
    mine = cosim.lut("cnn_fmnist", arch="eyeriss_like", samples=2, seed=3)
    theirs = json.loads(cli("lut", "--space", "cnn_fmnist", "--arch", "eyeriss_like", "--samples", "2", "--seed", "3",
                            "--format", "json").stdout)
    assert mine == theirs
    assert len(mine["entries"]) == 8 * 6 + 4  # eyeriss_like has multipliers only: 2 kernels x 3 expansions, skip
    cosim.run(small_cnn(8, 1), arch="eyeriss_like")  # the same worker
    assert cosim.elaborations() - elaborated <= 1
    with pytest.raises(cosim.InputError, match="/kind"):
        cosim.lut("vit")
    with pytest.raises(ValueError):
        cosim.lut(samples=-1)
