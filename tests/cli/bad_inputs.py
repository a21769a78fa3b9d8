#!/usr/bin/python3
"""Bad input of every kind, each case run through the cosim binary as a user would run it.

Every case must end with exit code 2, exactly one line on stderr that names the file (and, for a JSON file,
the JSON pointer of what is wrong), nothing on stdout, no crash or hang, and no output file or folder left
behind. The cases come from two places:

- mutations of the shipped files (workloads, architectures, the technology table, a mapping written by
  `cosim map`, sweeps, search spaces): every value replaced by one of a type it cannot have, an unknown member
  added to every object, and the file itself damaged (empty, cut short, not JSON, duplicate keys, numbers
  beyond double range, a directory, missing);
- cases written by hand for what type checks cannot reach: sizes that overflow, caps on repeats and masks,
  broken .npy masks, impossible architectures, and every command-line option given an impossible value.

usage: bad_inputs.py SOURCE_DIR COSIM_BINARY [--list] [--only SUBSTRING] [-j N] [--mutations-every N]

--mutations-every N keeps every N-th mutation of the shipped files and every hand-written case (the Sanitize
build's run: the mutations take one reader path over and over, and the fuzzers cover the readers under the
sanitizers too).
"""
import concurrent.futures
import copy
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

TIMEOUT_S = 120
FREE_TEXT = {"note", "description", "name"}  # members whose text nobody reads


class Case:
    def __init__(self, name, args, files=None, names=None, pointer=None, setup=None):
        self.name = name  # what is wrong, as the listing shows it
        self.args = args  # the cosim command line, run in the case's folder
        self.files = files or {}  # relative path -> bytes, written into the case's folder first
        self.names = names  # a file the message must name (a path as given on the command line), or None
        self.pointer = pointer  # JSON pointers, one of which the message must name, or None
        self.setup = setup  # a function(folder) that prepares more, or None


# ---------------------------------------------------------------------------------------------------------
# Mutations of the shipped files


def pointer_of(path):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def walk(value, path=()):
    """(path, value) of every value of a JSON document, parents before children."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from walk(child, path + (key,))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from walk(child, path + (i,))


def replaced(doc, path, new):
    doc = copy.deepcopy(doc)
    target = doc
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = new
    return doc


def wrong_type(value):
    """A value of a type no field that held `value` can take."""
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, (int, float)):
        return "not a number"
    if isinstance(value, str):
        return {"a": 1}
    if isinstance(value, list):
        return "not a list"
    return [1, 2]


def dumps(doc):
    return json.dumps(doc, indent=1).encode()


def mutation_cases(kind, doc, file_name, command, skip=()):
    """Every value given a wrong type, and an unknown member in every object, of one shipped document."""
    cases = []
    for path, value in walk(doc):
        if not path or path[-1] in FREE_TEXT or any(pointer_of(path).startswith(s) for s in skip):
            continue
        if path == ("format",):
            continue  # checked below with a wrong format tag
        ptr = pointer_of(path)
        accept = [ptr]
        if isinstance(path[-1], int):
            accept.append(pointer_of(path[:-1]))  # an element of a list may be reported as the list
        cases.append(Case(f"{kind} {file_name}: {ptr} of a wrong type", command,
                          {file_name: dumps(replaced(doc, path, wrong_type(value)))}, file_name, accept))
    for path, value in walk(doc):
        if isinstance(value, dict) and not any(pointer_of(path).startswith(s) for s in skip):
            ptr = pointer_of(path + ("bogus_member",))
            cases.append(Case(f"{kind} {file_name}: unknown member {ptr}", command,
                              {file_name: dumps(replaced(doc, path + ("bogus_member",), 1) if path else
                                                dict(doc, bogus_member=1))}, file_name, [ptr]))
    return cases


def damaged_file_cases(kind, text, file_name, command):
    """The file itself broken: not JSON, cut short, empty, duplicate keys, out-of-range numbers."""
    raw = text.encode()
    doc = json.loads(text)
    first_number = next(p for p, v in walk(doc) if isinstance(v, (int, float)) and not isinstance(v, bool))
    marked = dumps(replaced(doc, first_number, "@NUMBER@"))

    def number(text):  # the document with its first number written as `text`
        return marked.replace(b'"@NUMBER@"', text)
    first_key = re.search(rb'\{\s*("[^"]+"\s*:\s*"[^"]*")\s*,', raw)
    duplicate = raw[:first_key.end()] + first_key.group(1) + b"," + raw[first_key.end():]
    broken = {
        "an empty file": b"",
        "only whitespace": b"  \n\t\n",
        "cut in half": raw[:len(raw) // 2],
        "a trailing comma": raw.rstrip()[:-1].rstrip() + b",}" if raw.rstrip().endswith(b"}") else raw + b",",
        "text after the document": raw + b"\n{}",
        "a list at the top": b"[1, 2, 3]",
        "null at the top": b"null",
        "a number at the top": b"42",
        "a string at the top": b'"cosim"',
        "binary garbage": bytes(range(256)) * 4,
        "a UTF-16 file": text.encode("utf-16"),
        "invalid UTF-8 in a string": raw.replace(b'"', b'"\xff\xfe', 1),
        "a number beyond double range": number(b"1e400"),
        "a negative number beyond double range": number(b"-1e400"),
        "a number with a trailing dot": number(b"3."),
        "a hexadecimal number": number(b"0x10"),
        "a number with a leading plus": number(b"+3"),
        "Infinity": number(b"Infinity"),
        "a duplicate key": duplicate,
        "a comment": b"// cosim\n" + raw,
        "single quotes": raw.replace(b'"', b"'"),
        "nesting 100000 deep": b"[" * 100000 + b"]" * 100000,
        "an unterminated string": b'{"format": "cosim',
        "NaN": number(b"NaN"),
        "a wrong format tag": re.sub(rb'"format":\s*"[^"]*"', b'"format": "cosim-nothing/9"', raw, 1),
        "a future format version": re.sub(rb'("format":\s*"cosim-[a-z-]+/)\d+"', rb'\g<1>99"', raw, 1),
        "no format tag": re.sub(rb'"format":\s*"[^"]*",', b"", raw, 1),
    }
    cases = [Case(f"{kind} {file_name}: {why}", command, {file_name: content}, file_name)
             for why, content in broken.items()]
    cases.append(Case(f"{kind} {file_name}: missing", command, {}, file_name))
    cases.append(Case(f"{kind} {file_name}: a directory", command, {}, file_name,
                      setup=lambda folder: os.makedirs(os.path.join(folder, file_name))))
    return cases


def read_json(source, rel):
    with open(os.path.join(source, rel), encoding="utf-8") as f:
        text = f.read()
    return text, json.loads(text)


def workload_cases(source):
    cases = []
    for rel in ["workloads/vit.json", "workloads/resnet20_hybrid.json", "workloads/mobilenetv2_cifar.json",
                "workloads/deit_tiny_vitcod.json"]:
        text, doc = read_json(source, rel)
        for path, value in walk(doc):
            if path and path[-1] == "npy" and isinstance(value, str):
                doc = replaced(doc, path, os.path.normpath(os.path.join(source, os.path.dirname(rel), value)))
        command = ["run", "w.json", "-o", "res/report.json"]
        cases += mutation_cases("workload", doc, "w.json", command)
        if rel == "workloads/vit.json":
            cases += damaged_file_cases("workload", text, "w.json", command)
            cases += damaged_file_cases("workload (map)", text, "w.json", ["map", "w.json"])
    return cases


def arch_cases(source):
    cases = []
    for rel in ["arch/default.json", "arch/systolic32.json", "arch/eyeriss_like.json", "arch/vitcod_like.json"]:
        text, doc = read_json(source, rel)
        command = ["run", "workloads/deit_tiny.json", "--arch", "a.json", "-o", "res/r.json"]
        cases += mutation_cases("arch", doc, "a.json", command)
        if rel == "arch/default.json":
            cases += damaged_file_cases("arch", text, "a.json", command)
    return cases


def technology_cases(source):
    text, doc = read_json(source, "arch/tech/45nm.json")
    _, arch = read_json(source, "arch/default.json")
    arch["technology"] = "t.json"
    files = {"a.json": dumps(arch)}
    command = ["run", "workloads/deit_tiny.json", "--arch", "a.json", "-o", "res/r.json"]
    cases = mutation_cases("technology", doc, "t.json", command)
    cases += damaged_file_cases("technology", text, "t.json", command)
    for case in cases:
        case.files = dict(files, **case.files)
    return cases


def sweep_cases(source):
    text, doc = read_json(source, "sweeps/chunk_shapes.json")
    doc = dict(doc, workloads=["../workloads/deit_tiny.json"],
               parameters={"chunks.mac.rows+chunks.mac.cols": [8, 16], "dram.bandwidth": ["38.4 GB/s"]})
    command = ["sweep", "sub/s.json", "--out", "out", "-j", "1", "--quiet"]
    cases = mutation_cases("sweep", doc, "sub/s.json", command)
    cases += damaged_file_cases("sweep", json.dumps(doc, indent=1), "sub/s.json", command)
    return cases  # the sweep names its workloads from its own folder: sub/../workloads


def space_cases(source):
    cases = []
    for rel in ["spaces/vit.json", "spaces/cnn_cifar.json"]:
        text, doc = read_json(source, rel)
        command = ["search", "--space", "s.json", "--budget", "2", "-j", "1", "--out", "out", "--quiet"]
        cases += mutation_cases("space", doc, "s.json", command, skip=("/reference_point/note",))
        if rel == "spaces/vit.json":
            cases += damaged_file_cases("space", text, "s.json", command)
    return cases


def mapping_cases(source, binary, work):
    """Mutations of the mapping `cosim map --format json` writes for DeiT-Tiny."""
    folder = os.path.join(work, "mapping-base")
    os.makedirs(folder)
    out = os.path.join(folder, "m.json")
    subprocess.run([binary, "map", os.path.join(source, "workloads/deit_tiny.json"), "-o", out], check=True,
                   stdout=subprocess.DEVNULL)
    with open(out, encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text)
    doc["layers"] = doc["layers"][:6]  # the first layers say everything the rest would
    command = ["run", "workloads/deit_tiny.json", "--mapping", "m.json", "-o", "res/r.json"]
    # docs/mapper.md: only `format` and, per layer, these are read; the rest are figures for people
    read = {"layer", "dataflow", "tile", "loop_order", "tile_elements"}

    def reads(case):
        parts = case.pointer[0].split("/")[1:] if case.pointer else []
        return parts[:1] == ["format"] or (parts[:1] == ["layers"] and (
            len(parts) <= 2 or parts[2] in read or (len(parts) == 3 and parts[2] == "bogus_member")))
    cases = [c for c in mutation_cases("mapping", doc, "m.json", command) if reads(c)]
    cases += damaged_file_cases("mapping", text, "m.json", command)
    return cases


# ---------------------------------------------------------------------------------------------------------
# Cases written by hand


def npy(shape, dtype="|b1", fortran=False, header=None, body=None):
    if header is None:
        header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (dtype, fortran, shape)
    header = header.encode() + b" " * ((64 - (len(header) + 11) % 64) % 64) + b"\n"
    if body is None:
        count = 1
        for n in (shape if isinstance(shape, tuple) else ()):
            count *= max(n, 0)
        body = b"\x00" * min(count, 1 << 20)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + body


def npy_cases():
    command = ["run", "workloads/deit_tiny_vitcod.json", "--mask", "m.npy", "-o", "res/r.json"]
    masks = {
        "not an .npy file": b"hello",
        "an empty file": b"",
        "magic only": b"\x93NUMPY",
        "a header cut short": npy((12, 3, 197, 197))[:20],
        "a header that is not a dict": npy(None, header="[1, 2, 3]"),
        "float data": npy((12, 3, 197, 197), dtype="<f4"),
        "int64 data": npy((12, 3, 197, 197), dtype="<i8"),
        "Fortran order": npy((12, 3, 197, 197), fortran=True),
        "a negative dimension": npy((12, -3, 197, 197)),
        "a dimension beyond int64": npy((12, 3, 197, 99999999999999999999)),
        "a product that overflows": npy((1 << 20, 1 << 20, 1 << 20, 1 << 20)),
        "three dimensions": npy((3, 197, 197)),
        "the wrong token count": npy((12, 3, 196, 196)),
        "the wrong head count": npy((12, 4, 197, 197)),
        "the wrong layer count": npy((11, 3, 197, 197)),
        "a non-square mask": npy((12, 3, 197, 198)),
        "data cut short": npy((12, 3, 197, 197), body=b"\x00" * 100),
        "version 9": npy((12, 3, 197, 197)).replace(b"\x01\x00", b"\x09\x00", 1),
        "a shape that is text": npy(None, header="{'descr': '|b1', 'fortran_order': False, 'shape': 'x', }"),
        "no shape": npy(None, header="{'descr': '|b1', 'fortran_order': False, }"),
        "a header length beyond the file": b"\x93NUMPY\x01\x00\xff\xff{'descr'",
    }
    cases = [Case(f"mask m.npy: {why}", command, {"m.npy": content}, "m.npy") for why, content in masks.items()]
    cases.append(Case("mask m.npy: missing", command, {}, "m.npy"))
    cases.append(Case("mask m.npy: on a workload with no .npy mask", ["run", "workloads/vit.json", "--mask",
                                                                      "m.npy"], {"m.npy": npy((1, 1, 2, 2))},
                      "m.npy"))
    return cases


def workload_text(layers, input_shape=(3, 32, 32), extra=""):
    return json.dumps({"format": "cosim-workload/1", "name": "t", "input": {"shape": list(input_shape),
                       "bits": 8}, "defaults": {"op": "mult", "bits": {"mult": {"act": 8, "weight": 8}}},
                       "layers": layers}).encode()


def size_cases():
    conv = {"name": "c", "type": "conv2d", "out_channels": 8, "kernel": 3}
    big = 1 << 40
    specs = {
        "a convolution whose C*kh*kw overflows 64 bits": ([dict(conv, kernel=[1 << 31, 1 << 31])],
                                                          (1 << 20, 1 << 31, 1 << 31), "/input/shape"),
        "an input of 2^40 x 2^40 pixels": ([conv], (3, big, big), "/input/shape"),
        "an input of 10^19 channels": ([conv], (10 ** 19, 8, 8), "/input/shape"),
        "a negative input size": ([conv], (3, -32, 32), "/input/shape"),
        "a zero input size": ([conv], (3, 0, 32), "/input/shape"),
        "2^62 output channels": ([dict(conv, out_channels=1 << 62)], (3, 32, 32), "/layers/0"),
        "zero output channels": ([dict(conv, out_channels=0)], (3, 32, 32), "/layers/0/out_channels"),
        "a kernel larger than the input": ([dict(conv, kernel=64)], (3, 32, 32), "/layers/0"),
        "a zero stride": ([dict(conv, stride=0)], (3, 32, 32), "/layers/0/stride"),
        "a negative padding": ([dict(conv, padding=-1)], (3, 32, 32), "/layers/0/padding"),
        "a fractional channel count": ([dict(conv, out_channels=2.5)], (3, 32, 32), "/layers/0/out_channels"),
        "a repeat of 10^10 layers": ([{"name": "b", "repeat": 10 ** 10, "layers": [conv]}], (3, 32, 32),
                                     "/layers"),
        "nested repeats of 10^10 layers": ([{"name": "b", "repeat": 100000, "layers": [
            {"name": "b2", "repeat": 100000, "layers": [dict(conv, out_channels=3, padding=1)]}]}],
            (3, 32, 32), "/layers"),
        "a negative repeat": ([{"name": "b", "repeat": -1, "layers": [conv]}], (3, 32, 32), "/layers/0/repeat"),
        "an empty layer list": ([], (3, 32, 32), "/layers"),
        "an unknown layer type": ([dict(conv, type="conv7d")], (3, 32, 32), "/layers/0/type"),
        "an unknown operator": ([dict(conv, op="quantum")], (3, 32, 32), "/layers/0/op"),
        "a layer input that does not exist": ([conv, {"name": "a", "type": "add", "inputs": ["c", "nowhere"]}],
                                              (3, 32, 32), "/layers/1/inputs/1"),
        "a declared output that does not follow": ([dict(conv, output=[8, 31, 31])], (3, 32, 32),
                                                   "/layers/0/output"),
        "two layers of one name": ([conv, dict(conv, in_channels=8)], (3, 32, 32), "/layers/1/name"),
    }
    cases = []
    for why, (layers, shape, ptr) in specs.items():
        cases.append(Case(f"workload t.json: {why}", ["run", "t.json", "-o", "res/r.json"],
                          {"t.json": workload_text(layers, shape)}, "t.json", [ptr]))
    attention = [{"name": "tokens", "type": "tokens", "extra": 0, "output": [8192, 64]},
                 {"name": "attn", "type": "attention", "heads": 1, "output": [8192, 64],
                  "mask": {"generate": {"sparsity": 0.9, "global_tokens": 1, "window": 1, "seed": 1}}}]
    huge = [dict(attention[0], output=[2600000, 64]), dict(attention[1], output=[2600000, 64])]
    for why, layers, shape in [("a generated mask for 2.6 million tokens", huge, (64, 2600000, 1)),
                               ("a mask sparsity above 1", [attention[0], replaced(attention[1], (
                                   "mask", "generate", "sparsity"), 1.5)], (64, 8192, 1)),
                               ("a mask of a negative window", [attention[0], replaced(attention[1], (
                                   "mask", "generate", "window"), -2)], (64, 8192, 1))]:
        cases.append(Case(f"workload t.json: {why}", ["run", "t.json", "-o", "res/r.json"],
                          {"t.json": workload_text(layers, shape)}, "t.json", ["/layers/1", "/layers/0",
                                                                             "/input"]))
    return cases


def arch_value_cases(source):
    _, arch = read_json(source, "arch/default.json")
    command = ["run", "workloads/deit_tiny.json", "--arch", "a.json", "-o", "res/r.json"]
    edits = {
        "a chunk of 0 rows": (("chunks", 0, "rows"), 0),
        "a chunk of -16 columns": (("chunks", 0, "cols"), -16),
        "a chunk of 10^9 x 10^9 PEs": (("chunks", 0, "rows"), 10 ** 9),
        "a chunk name with a dot": (("chunks", 0, "name"), "mac.0"),
        "a chunk name with a space": (("chunks", 0, "name"), "mac 0"),
        "two chunks of one name": (("chunks", 1, "name"), "mac"),
        "no chunks": (("chunks",), []),
        "an unknown operator": (("chunks", 0, "op"), "divide"),
        "an unknown dataflow": (("chunks", 0, "dataflows"), ["row_stationary_plus"]),
        "no dataflows": (("chunks", 0, "dataflows"), []),
        "0-bit accumulators": (("chunks", 0, "bits", "acc"), 0),
        "0-bit activations": (("chunks", 0, "bits", "act"), 0),
        "100-bit weights": (("chunks", 0, "bits", "weight"), 100),
        "an unknown overflow rule": (("chunks", 0, "overflow"), "explode"),
        "a buffer of 0 bytes": (("chunks", 0, "buffers", "input"), "0 B"),
        "a buffer in volts": (("chunks", 0, "buffers", "input"), "32 V"),
        "a buffer of -1 KiB": (("chunks", 0, "buffers", "input"), "-1 KiB"),
        "a buffer of 10^30 bytes": (("chunks", 0, "buffers", "input"), "1e30 B"),
        "a clock of 0 Hz": (("clock",), "0 MHz"),
        "a clock without a unit": (("clock",), "500"),
        "a clock of NaN": (("clock",), "nan MHz"),
        "a clock of infinity": (("clock",), "inf MHz"),
        "a global buffer of 0 bytes": (("global_buffer", "size"), "0 B"),
        "a global-buffer bandwidth of 0": (("global_buffer", "bandwidth"), "0 B/cycle"),
        "a DRAM bandwidth in bytes": (("dram", "bandwidth"), "76.8 GB"),
        "a negative DRAM latency": (("dram", "latency"), "-100 ns"),
        "a DRAM burst of 0": (("dram", "burst"), "0 B"),
        "0 vector lanes": (("vector_unit", "lanes"), 0),
        "a vector op of 0 cycles per element": (("vector_unit", "ops", "softmax", "cycles_per_element"), 0),
        "a vector op with an unknown action": (("vector_unit", "ops", "add", "actions"), {"teleport": 1}),
        "an unknown vector op": (("vector_unit", "ops", "fft"), {"cycles_per_element": 1, "actions": {}}),
        "0 MAC lines": (("sparse_attention", "mac_lines"), 0),
        "1 MAC line (the two engines need one each)": (("sparse_attention", "mac_lines"), 1),
        "a gather port narrower than one beat of a line": (("sparse_attention", "gather_bandwidth"), "4 B/cycle"),
        "a gather port of 0 bytes per cycle": (("sparse_attention", "gather_bandwidth"), "0 B/cycle"),
        "a negative global threshold": (("sparse_attention", "global_threshold"), -1),
        "an encoder ratio above 1": (("sparse_attention", "encoder", "ratio"), "3/2"),
        "an encoder ratio of 0": (("sparse_attention", "encoder", "ratio"), "0/3"),
        "an encoder ratio with trailing text": (("sparse_attention", "encoder", "ratio"), "2/3xyz"),
        "an encoder ratio divided by 0": (("sparse_attention", "encoder", "ratio"), "2/0"),
        "an unknown technology preset": (("technology",), "3nm"),
        "a technology file that is missing": (("technology",), "no_such_tech.json"),
        "a technology path that is a directory": (("technology",), "."),
    }
    cases = []
    for why, (path, value) in edits.items():
        cases.append(Case(f"arch a.json: {why}", command, {"a.json": dumps(replaced(arch, path, value))},
                          "a.json", [pointer_of(path), pointer_of(path[:-1])]))
    return cases


def technology_value_cases(source):
    _, tech = read_json(source, "arch/tech/45nm.json")
    _, arch = read_json(source, "arch/default.json")
    arch["technology"] = "t.json"
    command = ["run", "workloads/deit_tiny.json", "--arch", "a.json", "-o", "res/r.json"]
    cases = []
    for path, value in walk(tech):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            for why, bad in [("negative", -1.0), ("1e308 pJ", 1e308)]:
                ptr = pointer_of(path)
                cases.append(Case(f"technology t.json: {ptr} {why}", command,
                                  {"a.json": dumps(arch), "t.json": dumps(replaced(tech, path, bad))},
                                  "t.json", [ptr]))
    return cases[:40]  # the first figures of each kind; the rest are read by the same code


def option_cases():
    run = ["run", "workloads/deit_tiny.json"]
    search = ["search", "--budget", "2", "-j", "1", "--out", "out", "--quiet"]
    sweep = ["sweep", "sweeps/chunk_shapes.json", "--random", "1", "-j", "1", "--out", "out", "--quiet"]
    options = {
        "run: an unknown option": run + ["--frobnicate"],
        "run: a missing workload": ["run", "nothing.json"],
        "run: a workload that is a directory": ["run", "workloads"],
        "run: an unknown preset": run + ["--arch", "nonesuch"],
        "run: an unknown format": run + ["--format", "xml"],
        "run: a format that contradicts the extension": run + ["--format", "csv", "-o", "res/r.json"],
        "run: -o naming a directory": run + ["-o", "."],
        "run: -o in a folder that does not exist": run + ["-o", "nowhere/r.json"],
        "run: an unknown objective": run + ["--objective", "beauty"],
        "run: a mapping that is missing": run + ["--mapping", "none.json"],
        "run: a negative pipeline": run + ["--pipeline", "-1"],
        "run: a pipeline of 10^6": run + ["--pipeline", "1000000"],
        "run: a pipeline that is not a number": run + ["--pipeline", "four"],
        "map: --write-arch naming a directory": ["map", "workloads/deit_tiny.json", "--write-arch", "."],
        "map: --write-arch in a folder that does not exist": ["map", "workloads/deit_tiny.json",
                                                             "--write-arch", "nowhere/a.json"],
        "search: -j 0": search + ["-j", "0"],
        "search: -j -1": search + ["-j", "-1"],
        "search: a negative seed": search + ["--seed", "-1"],
        "search: a seed beyond 2^64": search + ["--seed", "18446744073709551616"],
        "search: a budget of 0": search + ["--budget", "0"],
        "search: a negative budget": search + ["--budget", "-5"],
        "search: a budget that is not a number": search + ["--budget", "many"],
        "search: a population of 1": search + ["--population", "1"],
        "search: a negative max latency": search + ["--max-latency", "-1"],
        "search: a NaN max energy": search + ["--max-energy", "nan"],
        "search: an infinite max EDP": search + ["--max-edp", "inf"],
        "search: a NaN min accuracy": search + ["--min-accuracy", "nan"],
        "search: an unknown strategy": search + ["--strategy", "luck"],
        "search: an unknown space": search + ["--space", "nonesuch"],
        "search: an unknown estimator": search + ["--accuracy", "oracle"],
        "search: an accuracy table that is missing": search + ["--accuracy", "table:none.csv"],
        "search: a negative accuracy timeout": search + ["--accuracy-timeout", "-1"],
        "search: two objectives": search + ["--energy", "--latency"],
        "search: --out that is a file": ["search", "--budget", "2", "--out", "workloads/vit.json"],
        "search: --resume with nothing to resume": search + ["--resume"],
        "search: an unknown architecture preset": search + ["--arch", "nonesuch"],
        "sweep: a missing sweep file": ["sweep", "none.json"],
        "sweep: -j 0": sweep + ["-j", "0"],
        "sweep: a negative seed": sweep + ["--seed", "-3"],
        "sweep: a random sample of 0": sweep + ["--random", "0"],
        "sweep: a negative area budget": sweep + ["--area-budget", "-6"],
        "sweep: a NaN area budget": sweep + ["--area-budget", "nan"],
        "sweep: --set of an unknown field": sweep + ["--set", "chunks.mac.legs=4"],
        "sweep: --set without values": sweep + ["--set", "chunks.mac.rows="],
        "sweep: --set without =": sweep + ["--set", "chunks.mac.rows"],
        "sweep: --set of an unknown chunk": sweep + ["--set", "chunks.nothing.rows=8"],
        "sweep: --set of a value of a wrong type": sweep + ["--set", "chunks.mac.rows=eight"],
        "sweep: an unknown mapping objective": sweep + ["--mapping-objective", "beauty"],
        "sweep: --out that is a file": sweep[:-3] + ["--out", "workloads/vit.json", "--quiet"],
        "verify: --cycles 0": ["verify", "--config", "mult_4x6_w8_acc32", "--cycles", "0"],
        "verify: --cycles -1": ["verify", "--config", "mult_4x6_w8_acc32", "--cycles", "-1"],
        "verify: --cycles beyond 2^64": ["verify", "--config", "mult_4x6_w8_acc32", "--cycles",
                                         "99999999999999999999999"],
        "verify: an unknown configuration": ["verify", "--config", "mult_99x99", "--cycles", "10"],
        "verify: a negative seed": ["verify", "--config", "mult_4x6_w8_acc32", "--seed", "-7"],
        "an unknown command": ["frobnicate"],
    }
    return [Case(why, args) for why, args in options.items()]


# ---------------------------------------------------------------------------------------------------------
# Running the cases


def all_cases(source, binary, work, mutations_every=1):
    """Every case; with mutations_every N, only every N-th mutation of the shipped files (all hand-written)."""
    mutations = (workload_cases(source) + arch_cases(source) + technology_cases(source) + sweep_cases(source) +
                 space_cases(source) + mapping_cases(source, binary, work))
    return (mutations[::mutations_every] + npy_cases() + size_cases() + arch_value_cases(source) +
            technology_value_cases(source) + option_cases())


LINKS = ["arch", "workloads", "sweeps", "spaces"]


def run_case(index, case, source, binary, work):
    """The problems of one case, or [] when it passed."""
    folder = os.path.join(work, f"case{index:04d}")
    os.makedirs(folder)
    for link in LINKS:
        os.symlink(os.path.join(source, link), os.path.join(folder, link))
    os.makedirs(os.path.join(folder, "res"))  # where -o writes: it must stay empty
    for rel, content in case.files.items():
        os.makedirs(os.path.dirname(os.path.join(folder, rel)) or folder, exist_ok=True)
        with open(os.path.join(folder, rel), "wb") as f:
            f.write(content)
    if case.setup:
        case.setup(folder)
    before = sorted(os.listdir(folder))
    env = dict(os.environ, COLUMNS="100")
    try:
        done = subprocess.run([binary] + case.args, cwd=folder, capture_output=True, timeout=TIMEOUT_S, env=env,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return [f"no answer in {TIMEOUT_S} s (a hang)"]
    problems = []
    err = done.stderr.decode(errors="replace")
    lines = [l for l in err.splitlines() if l.strip()]
    if done.returncode != 2:
        problems.append(f"exit code {done.returncode}, not 2")
    if len(lines) != 1:
        problems.append(f"{len(lines)} lines on stderr, not 1")
    if done.stdout.strip():
        problems.append("output on stdout: " + done.stdout.decode(errors="replace")[:200].replace("\n", "|"))
    message = lines[0] if lines else ""
    if case.names and case.names not in message:
        problems.append(f"the message does not name {case.names}")
    if case.pointer and not any(re.search(re.escape(p) + r"(?![\w~])", message) for p in case.pointer):
        problems.append("the message names none of " + ", ".join(case.pointer))
    if "internal error" in message.lower() or "what():" in err or "terminate called" in err:
        problems.append("an internal error")
    after = sorted(os.listdir(folder))
    left = sorted(set(after) - set(before)) + ["res/" + f for f in os.listdir(os.path.join(folder, "res"))]
    if left:
        problems.append("left behind: " + ", ".join(left))
    if problems:
        problems.append("stderr: " + err.strip().replace("\n", " | ")[:600])
    return problems


def main():
    source, binary = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    args = sys.argv[3:]
    only = args[args.index("--only") + 1] if "--only" in args else None
    jobs = int(args[args.index("-j") + 1]) if "-j" in args else os.cpu_count() or 1
    every = int(args[args.index("--mutations-every") + 1]) if "--mutations-every" in args else 1
    with tempfile.TemporaryDirectory(prefix="cosim-bad-inputs-") as work:
        cases = all_cases(source, binary, work, every)
        if only:
            cases = [c for c in cases if only in c.name]
        if "--list" in args:
            for case in cases:
                print(case.name)
            print(f"{len(cases)} cases")
            return 0
        failed = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(run_case, i, c, source, binary, work) for i, c in enumerate(cases)]
            for case, future in zip(cases, futures):
                problems = future.result()
                if problems:
                    failed += 1
                    print(f"FAIL {case.name}: cosim {' '.join(case.args)}")
                    for p in problems:
                        print(f"     {p}")
        print(f"{len(cases) - failed} of {len(cases)} bad-input cases refused as they should be")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
