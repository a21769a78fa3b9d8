"""`cosim import` and `cosim run MODEL.onnx` on torchvision's models: the import succeeds, every
convolution/linear/matmul layer's MACs equal the hooked count in order, and the total is within 2% of the
figure torchvision publishes (or half a unit of its last digit, for the small ones)."""
import json
import os
import subprocess

import pytest

import torchvision_models

COSIM = os.environ.get("COSIM", "cosim")


def cosim(*args):
    r = subprocess.run([COSIM, *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("name", sorted(torchvision_models.MODELS))
def test_import_matches_hooked_and_published_macs(name, tmp_path):
    path = str(tmp_path / (name + ".onnx"))
    hooked = torchvision_models.export(name, path)
    report = json.loads(cosim("run", path, "--format", "json"))
    pe_layers = [(l["name"], l["macs"]) for l in report["layers"] if l["macs"] > 0 and l["unit"] != "vector"]
    assert [m for _, m in pe_layers] == [m for _, m in hooked], (
        "cosim's PE layers (name, MACs) in order differ from the hooked count:\n" +
        "\n".join(f"{a} vs {b}" for a, b in zip(pe_layers, hooked)))
    total = sum(m for _, m in pe_layers) / 1e9
    published = torchvision_models.MODELS[name][0]
    assert abs(total - published) <= max(0.02 * published, 0.005), f"{total:.3f} GMACs vs {published}"
