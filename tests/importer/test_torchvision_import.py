"""`cosim import` and `cosim run MODEL.onnx` on torchvision's models: the import succeeds, every
convolution/linear/matmul layer's MACs equal the hooked count in order, and the total is within 2% of the
figure torchvision publishes (or half a unit of its last digit, for the small ones); and the imported
vit_b_16 costs what the hand-written workloads/deit_base.json (the same network) costs on the layers they
share."""
import json
import os
import subprocess

import sys

import pytest

import torchvision_models

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRC, "tests", "cli"))
import schemas  # noqa: E402  (the validators of schemas/, shared with the schema test)

COSIM = os.environ.get("COSIM", "cosim")


def cosim(*args):
    r = subprocess.run([COSIM, *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


exported = {}


def export_once(name, tmp_path_factory):
    if name not in exported:
        path = str(tmp_path_factory.mktemp(name) / (name + ".onnx"))
        exported[name] = (path, torchvision_models.export(name, path))
    return exported[name]


def pe_layers(report):
    return [l for l in report["layers"] if l["macs"] > 0 and l["unit"] != "vector"]


@pytest.mark.parametrize("name", sorted(torchvision_models.MODELS))
def test_import_matches_hooked_and_published_macs(name, tmp_path_factory):
    path, hooked = export_once(name, tmp_path_factory)
    validators = schemas.validators_of(SRC)
    validators["cosim-workload-1"].validate(json.loads(cosim("import", path)))  # what it writes, by its schema
    report = json.loads(cosim("run", path, "--format", "json"))
    validators["cosim-report-1"].validate(report)
    pe = [(l["name"], l["macs"]) for l in pe_layers(report)]
    assert [m for _, m in pe] == [m for _, m in hooked], (
        "cosim's PE layers (name, MACs) in order differ from the hooked count:\n" +
        "\n".join(f"{a} vs {b}" for a, b in zip(pe, hooked)))
    total = sum(m for _, m in pe) / 1e9
    published = torchvision_models.MODELS[name][0]
    assert abs(total - published) <= max(0.02 * published, 0.005), f"{total:.3f} GMACs vs {published}"


def test_vit_b_16_costs_what_deit_base_costs_on_the_layers_they_share(tmp_path_factory):
    """The linear layers (patch embedding, qkv, fc1, fc2, head) read and write the same tensors in both and
    cost the same cycles and energy. Both attention products run with the same MACs; their cycles differ by
    under 2% and their energy more: the hand-written attention layer reads Q, K and V out of the packed qkv
    tensor and takes the heads in passes that fit the buffer, where the export slices and transposes them
    into tensors of their own (copies on the vector unit) first. The output projection reads a copy too."""
    path, _ = export_once("vit_b_16", tmp_path_factory)
    vit = pe_layers(json.loads(cosim("run", path, "--format", "json")))
    merged = {}  # attention products run in passes of heads (qk, sv, qk, sv): one entry each, in order
    for l in pe_layers(json.loads(cosim("run", os.path.join(SRC, "workloads/deit_base.json"), "--format", "json"))):
        e = merged.setdefault(l["name"].split(".heads")[0], {"macs": 0, "cycles": 0, "energy": 0.0})
        e["macs"] += l["macs"]
        e["cycles"] += l["cycles"]
        e["energy"] += l["energy_pJ"]["total"]
    deit = [dict(v, key=k) for k, v in merged.items()]
    assert len(vit) == len(deit) == 1 + 12 * 6 + 1
    for d, v in zip(deit, vit):
        assert d["macs"] == v["macs"], (d["key"], v["name"])
        last = d["key"].split(".")[-1]
        if last in ("patch_embed", "qkv", "fc1", "fc2", "head"):
            assert (d["cycles"], d["energy"]) == (v["cycles"], v["energy_pJ"]["total"]), (d["key"], v["name"])
        else:
            assert abs(v["cycles"] / d["cycles"] - 1) < 0.02, (d["key"], v["name"], d["cycles"], v["cycles"])
