"""`cosim import` on small ONNX graphs built here with python3-onnx: each pattern PyTorch exports becomes the
layer the docs say (docs/import.md), and bad models are refused with one line, exit code 2."""
import json
import os
import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

COSIM = os.environ.get("COSIM", "cosim")


def save(tmp_path, nodes, x_shape, y_shape, inits=(), name="m.onnx", opset=14):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)
    graph = helper.make_graph(nodes, "g", [x], [y], initializer=list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    path = str(tmp_path / name)
    onnx.save(model, path)
    return path


def const(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def imported(path, *extra):
    r = subprocess.run([COSIM, "import", path, *extra], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return [l for l in json.loads(r.stdout)["layers"] if l["type"] != "reshape"]


def refused(path, *extra):
    r = subprocess.run([COSIM, "import", path, *extra], capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == "", (r.returncode, r.stdout[:200])
    lines = r.stderr.strip().split("\n")
    assert len(lines) == 1, r.stderr
    return lines[0]


def types(layers):
    return [l["type"] for l in layers]


def test_gelu_as_pytorch_exports_it_is_one_layer(tmp_path):
    nodes = [helper.make_node("Div", ["x", "sqrt2"], ["d"], name="/mlp/Div"),
             helper.make_node("Erf", ["d"], ["e"], name="/mlp/Erf"),
             helper.make_node("Add", ["e", "one"], ["a"], name="/mlp/Add"),
             helper.make_node("Mul", ["x", "a"], ["m"], name="/mlp/Mul"),
             helper.make_node("Mul", ["m", "half"], ["y"], name="/mlp/Mul_1")]
    inits = [const("sqrt2", 1.4142135), const("one", 1.0), const("half", 0.5)]
    layers = imported(save(tmp_path, nodes, [1, 8, 16], [1, 8, 16], inits))
    assert types(layers) == ["gelu"]
    assert layers[0]["output"] == [8, 16] and layers[0]["name"] == "mlp"


def layer_norm_nodes(x, y):
    return [helper.make_node("ReduceMean", [x], ["mean"], axes=[-1], name="/ln/ReduceMean"),
            helper.make_node("Sub", [x, "mean"], ["d"], name="/ln/Sub"),
            helper.make_node("Pow", ["d", "two"], ["p"], name="/ln/Pow"),
            helper.make_node("ReduceMean", ["p"], ["var"], axes=[-1], name="/ln/ReduceMean_1"),
            helper.make_node("Add", ["var", "eps"], ["ve"], name="/ln/Add"),
            helper.make_node("Sqrt", ["ve"], ["s"], name="/ln/Sqrt"),
            helper.make_node("Div", ["d", "s"], ["n"], name="/ln/Div"),
            helper.make_node("Mul", ["n", "gamma"], ["g"], name="/ln/Mul"),
            helper.make_node("Add", ["g", "beta"], [y], name="/ln/Add_1")]


def test_decomposed_layer_norm_is_one_layer(tmp_path):
    inits = [const("two", 2.0), const("eps", 1e-6), const("gamma", np.ones(16)), const("beta", np.zeros(16))]
    layers = imported(save(tmp_path, layer_norm_nodes("x", "y"), [1, 8, 16], [1, 8, 16], inits))
    assert types(layers) == ["layernorm"]


def test_silu_and_hardswish_patterns_fuse(tmp_path):
    nodes = [helper.make_node("Sigmoid", ["x"], ["s"], name="/act/Sigmoid"),
             helper.make_node("Mul", ["x", "s"], ["m"], name="/act/Mul"),
             helper.make_node("HardSigmoid", ["m"], ["h"], name="/act2/HardSigmoid"),
             helper.make_node("Mul", ["h", "m"], ["y"], name="/act2/Mul")]
    assert types(imported(save(tmp_path, nodes, [1, 4, 8, 8], [1, 4, 8, 8]))) == ["silu", "hardswish"]


def test_sigmoid_gate_of_another_tensor_stays_a_sigmoid_and_a_mul(tmp_path):
    nodes = [helper.make_node("GlobalAveragePool", ["x"], ["p"], name="/se/pool"),
             helper.make_node("Sigmoid", ["p"], ["s"], name="/se/Sigmoid"),
             helper.make_node("Mul", ["x", "s"], ["y"], name="/se/Mul")]
    layers = imported(save(tmp_path, nodes, [1, 4, 8, 8], [1, 4, 8, 8]))
    assert types(layers) == ["pool", "sigmoid", "mul"]
    assert layers[2]["output"] == [4, 8, 8]


def test_conv_batchnorm_folds_and_bias_joins_linear(tmp_path):
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=2,
                              name="/features/0/Conv"),
             helper.make_node("BatchNormalization", ["c", "g", "b", "m", "v"], ["bn"], name="/features/1/BN"),
             helper.make_node("Relu", ["bn"], ["r"], name="/features/2/Relu"),
             helper.make_node("Flatten", ["r"], ["f"], name="/Flatten"),
             helper.make_node("MatMul", ["f", "fc"], ["mm"], name="/fc/MatMul"),
             helper.make_node("Add", ["fc_bias", "mm"], ["y"], name="/fc/Add")]
    inits = [const("w", np.zeros((8, 2, 3, 3))), const("g", np.ones(8)), const("b", np.zeros(8)),
             const("m", np.zeros(8)), const("v", np.ones(8)), const("fc", np.zeros((8 * 16, 10))),
             const("fc_bias", np.zeros(10))]
    layers = imported(save(tmp_path, nodes, [1, 4, 4, 4], [1, 10], inits))
    assert types(layers) == ["conv2d", "relu", "linear"]
    assert layers[0]["groups"] == 2 and layers[0]["name"] == "features_0"
    assert layers[2]["out_features"] == 10


def test_transpose_of_b_folds_into_the_matmul_and_a_class_token_is_extra(tmp_path):
    nodes = [helper.make_node("Concat", ["cls", "x"], ["t"], axis=1, name="/Concat"),
             helper.make_node("Transpose", ["t"], ["tt"], perm=[0, 2, 1], name="/attn/Transpose"),
             helper.make_node("MatMul", ["t", "tt"], ["s"], name="/attn/MatMul"),
             helper.make_node("Softmax", ["s"], ["y"], axis=-1, name="/attn/Softmax")]
    layers = imported(save(tmp_path, nodes, [1, 4, 8], [1, 5, 5], [const("cls", np.zeros((1, 1, 8)))]))
    assert types(layers) == ["concat", "matmul", "softmax"]
    assert layers[0]["extra"] == 1 and layers[1]["transpose_b"] is True


def test_other_transposes_and_strided_slices_are_copies_contiguous_ones_free(tmp_path):
    nodes = [helper.make_node("Transpose", ["x"], ["t"], perm=[0, 2, 1], name="/Transpose"),
             helper.make_node("Slice", ["t", "s0", "e0", "a0"], ["rows"], name="/Slice"),
             helper.make_node("Slice", ["rows", "s1", "e1", "a1"], ["y"], name="/Slice_1")]
    ints = lambda n, v: numpy_helper.from_array(np.asarray(v, dtype=np.int64), n)
    inits = [ints("s0", [2]), ints("e0", [6]), ints("a0", [1]), ints("s1", [1]), ints("e1", [3]), ints("a1", [2])]
    layers = imported(save(tmp_path, nodes, [1, 4, 8], [1, 4, 2], inits))
    assert types(layers) == ["transpose", "slice", "slice"]
    assert (layers[1]["axis"], layers[1]["start"], layers[1]["end"]) == (1, 2, 6)  # on [1, 8, 4]
    assert (layers[2]["axis"], layers[2]["start"], layers[2]["end"]) == (2, 1, 3)
    r = subprocess.run([COSIM, "run", save(tmp_path, nodes, [1, 4, 8], [1, 4, 2], inits, "r.onnx"), "--format",
                        "json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    ops = {l["name"]: l["op"] for l in json.loads(r.stdout)["layers"]}
    assert ops == {"Transpose": "copy", "Slice_1": "copy"}  # rows 2..5 of [8, 4] are contiguous: free


def test_operator_rules_put_layers_on_the_shift_and_adder_chunks(tmp_path):
    nodes = [helper.make_node("Conv", ["x", "w1"], ["a"], kernel_shape=[1, 1], name="/stem/Conv"),
             helper.make_node("Conv", ["a", "w2"], ["b"], kernel_shape=[1, 1], name="/block1/shift/Conv"),
             helper.make_node("Conv", ["b", "w3"], ["y"], kernel_shape=[1, 1], name="/block2/adder/Conv")]
    inits = [const("w1", np.zeros((4, 4, 1, 1))), const("w2", np.zeros((4, 4, 1, 1))), const("w3", np.zeros((4, 4, 1, 1)))]
    rules = tmp_path / "ops.json"
    rules.write_text(json.dumps({"rules": [{"match": "*shift*", "op": "shift"}, {"match": "block2_*", "op": "adder"}]}))
    path = save(tmp_path, nodes, [1, 4, 8, 8], [1, 4, 8, 8], inits)
    assert [l["op"] for l in imported(path, "--ops", str(rules))] == ["mult", "shift", "adder"]
    rules.write_text(json.dumps({"rules": [{"match": "*", "op": "divider"}]}))
    line = refused(path, "--ops", str(rules))
    assert str(rules) in line and "/rules/0/op" in line and "divider" in line


def test_an_operator_cosim_cannot_place_names_the_node_its_type_and_the_file(tmp_path):
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="/pre/Relu"),
             helper.make_node("Einsum", ["r", "r"], ["y"], equation="bij,bjk->bik", name="/odd/Einsum")]
    path = save(tmp_path, nodes, [1, 4, 4], [1, 4, 4])
    line = refused(path)
    assert path in line and '"/odd/Einsum" (Einsum)' in line and "cannot place" in line
    r = subprocess.run([COSIM, "run", path], capture_output=True, text=True)
    assert r.returncode == 2 and "(Einsum)" in r.stderr and r.stdout == ""


def test_bad_files_are_refused_in_one_line(tmp_path):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x08\x07garbage that is no protobuf \xff\xff\xff")
    assert "not an ONNX model" in refused(str(junk))
    assert "cannot open" in refused(str(tmp_path / "missing.onnx"))
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="/Relu")]
    assert "batch dimension of 1" in refused(save(tmp_path, nodes, [2, 3, 8, 8], [2, 3, 8, 8]))
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    assert "no graph nodes" in refused(str(empty))


def attention_workload(written_with_matmuls, mask):
    """DeiT-Tiny-like attention: 3 heads of 64 over 197 tokens, as one `attention` layer on packed q, k, v, or
    as matmul + softmax + matmul on q, k and v of their own (the mask on the scores matmul)."""
    layers = [{"name": "qkv", "type": "linear", "out_features": 576}]
    if written_with_matmuls:
        for i, t in enumerate("qkv"):
            layers += [{"name": t + "s", "type": "slice", "inputs": ["qkv"], "axis": 1, "start": 192 * i, "end": 192 * i + 192},
                       {"name": t + "h", "type": "reshape", "shape": [197, 3, 64]},
                       {"name": t, "type": "transpose", "perm": [1, 0, 2]}]
        layers += [{"name": "scores", "type": "matmul", "inputs": ["q", "k"], "transpose_b": True, "mask": mask},
                   {"name": "probs", "type": "softmax"},
                   {"name": "out", "type": "matmul", "inputs": ["probs", "v"]}]
    else:
        layers += [{"name": "attn", "type": "attention", "heads": 3, "mask": mask}]
    return {"format": "cosim-workload/1", "name": "attn", "input": {"shape": [197, 192], "bits": 8},
            "defaults": {"op": "mult", "bits": {"mult": {"act": 8, "weight": 8}}}, "layers": layers}


def test_attention_written_as_matmuls_runs_on_the_sparse_engine_when_masked(tmp_path):
    mask = {"generate": {"sparsity": 0.9, "global_tokens": 8, "seed": 3}}
    reports = []
    for i, matmuls in enumerate([False, True]):
        path = tmp_path / f"w{i}.json"
        path.write_text(json.dumps(attention_workload(matmuls, mask)))
        r = subprocess.run([COSIM, "run", str(path), "--arch", "vitcod_like", "--format", "json"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        reports.append(json.loads(r.stdout)["layers"])
    # The same products on the engine, the same work; cycles within 1%: Q, K and V arrive as tensors of
    # their own (copies out of the packed projection) instead of slices of it, which shifts the engine's loads.
    packed, separate = [[l for l in layers if l["unit"] == "sparse_attn"] for layers in reports]
    assert len(packed) == len(separate) == 2
    for a, b in zip(packed, separate):
        assert a["macs"] == b["macs"] and abs(b["cycles"] / a["cycles"] - 1) < 0.01, (a, b)


def test_a_masked_matmul_needs_its_softmax_and_values_product_next(tmp_path):
    w = attention_workload(True, {"generate": {"sparsity": 0.9}})
    w["layers"].insert(-2, {"name": "odd", "type": "relu", "inputs": ["scores"]})
    path = tmp_path / "w.json"
    path.write_text(json.dumps(w))
    r = subprocess.run([COSIM, "run", str(path), "--arch", "vitcod_like"], capture_output=True, text=True)
    assert r.returncode == 2 and "/layers/11" in r.stderr and "followed by its softmax" in r.stderr, r.stderr


def test_a_sweep_takes_an_onnx_model_as_a_workload(tmp_path):
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], name="/conv/Conv"),
             helper.make_node("Relu", ["c"], ["y"], name="/relu/Relu")]
    path = save(tmp_path, nodes, [1, 8, 16, 16], [1, 16, 16, 16], [const("w", np.zeros((16, 8, 3, 3)))])
    out = tmp_path / "sweep"
    r = subprocess.run([COSIM, "sweep", "--set", "chunks.mac.rows=8,16", "--workload", path, "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rows = (out / "points.csv").read_text().strip().split("\n")
    assert len(rows) == 3 and ",m.cycles," in rows[0]  # a header and two points, the model a column
