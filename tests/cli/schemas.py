#!/usr/bin/python3
"""The JSON Schemas of schemas/ against what cosim reads and writes.

Every schema must be a valid draft 2020-12 schema; every shipped input (architectures, technology tables,
workloads, sweeps, search spaces) must validate against the schema of its format; the JSON outputs of real
runs (run and map reports, a mapping file, a search front, sweep points) must validate against theirs; and
each schema must reject a document of its format with an unknown member or a wrong format tag, so that a
schema that accepts anything fails here.

usage: schemas.py SOURCE_DIR COSIM_BINARY
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

INPUTS = {
    "cosim-arch-1": ["arch/*.json", "validation/*/arch*.json"],
    "cosim-technology-1": ["arch/tech/*.json", "validation/*/technology.json"],
    "cosim-workload-1": ["workloads/*.json", "validation/*/vgg02_layer5.json"],
    "cosim-sweep-1": ["sweeps/*.json"],
    "cosim-space-1": ["spaces/*.json"],
    "cosim-mapping-1": ["tests/fuzz/seeds/mapping/*.json"],
}


def validators_of(source):
    """A validator per schema of schemas/, each able to follow $refs to the others by file name."""
    store = {}
    for path in glob.glob(os.path.join(source, "schemas", "*.schema.json")):
        with open(path, encoding="utf-8") as f:
            s = json.load(f)
        jsonschema.Draft202012Validator.check_schema(s)
        if s.get("$id") != os.path.basename(path):
            raise SystemExit(f"{path}: $id is {s.get('$id')!r}, not the file name")
        store[s["$id"]] = s
    return {name[:-len(".schema.json")]: jsonschema.Draft202012Validator(
        s, resolver=jsonschema.RefResolver(name, s, store=store)) for name, s in store.items()}


def outputs(source, binary, work):
    """(schema name, what, document) of the JSON outputs of real runs."""
    def run(*args):
        subprocess.run([binary] + list(args), cwd=source, check=True, stdout=subprocess.DEVNULL)

    docs = []
    for workload, arch in [("vit", "default"), ("resnet20_hybrid", "default"), ("deit_tiny", "eyeriss_like"),
                           ("mobilenetv2_cifar", "systolic32")]:
        out = os.path.join(work, f"{workload}@{arch}.json")
        run("run", f"workloads/{workload}.json", "--arch", arch, "-o", out)
        docs.append(("cosim-report-1", out))
    piped = os.path.join(work, "piped.json")
    run("run", "workloads/resnet20_hybrid.json", "--pipeline", "4", "-o", piped)
    docs.append(("cosim-report-1", piped))
    for workload in ["vit", "resnet20_hybrid"]:
        out = os.path.join(work, f"{workload}.map.json")
        run("map", f"workloads/{workload}.json", "-o", out, *(["--allocate"] if workload != "vit" else []))
        docs.append(("cosim-mapping-1", out))
    search = os.path.join(work, "search")
    run("search", "--budget", "16", "--population", "8", "--quiet", "--out", search, "--max-latency", "20")
    docs.append(("cosim-search-front-1", os.path.join(search, "front.json")))
    docs += [("cosim-workload-1", f) for f in sorted(glob.glob(os.path.join(search, "front", "*.json")))]
    codesign = os.path.join(work, "codesign")
    run("search", "--space", "cnn_fmnist", "--budget", "16", "--population", "8", "--quiet", "--out", codesign,
        "--arch-set", "chunks.mac.rows+chunks.mac.cols=8,16", "--area-budget", "6")
    docs.append(("cosim-search-front-1", os.path.join(codesign, "front.json")))
    docs += [("cosim-arch-1" if f.endswith(".arch.json") else "cosim-workload-1", f)
             for f in sorted(glob.glob(os.path.join(codesign, "front", "*.json")))]
    sweep = os.path.join(work, "sweep")
    run("sweep", "sweeps/chunk_shapes.json", "--random", "3", "--quiet", "--out", sweep)
    docs.append(("cosim-sweep-points-1", os.path.join(sweep, "points.json")))
    docs += [("cosim-arch-1", f) for f in sorted(glob.glob(os.path.join(sweep, "front", "*.json")))]
    return docs


def check(validator, path, problems):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors[:3]:
        problems.append(f"{path}: /{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}")
    return doc


def rejects(validator, name, doc, problems):
    """The schema must refuse the document with an unknown member, and with another format tag."""
    for why, bad in [("an unknown member", dict(doc, bogus_member=1)),
                     ("another format tag", dict(doc, format="cosim-nothing/1"))]:
        if validator.is_valid(bad):
            problems.append(f"{name}: accepts a document with {why}")


def main():
    source, binary = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    problems, checked = [], 0
    validators = validators_of(source)
    names = sorted(validators)
    examples = {}
    for name, patterns in INPUTS.items():
        files = sorted(f for p in patterns for f in glob.glob(os.path.join(source, p)))
        if not files:
            problems.append(f"no shipped file for {name}")
        for f in files:
            examples.setdefault(name, check(validators[name], f, problems))
            checked += 1
    with tempfile.TemporaryDirectory(prefix="cosim-schemas-") as work:
        for name, path in outputs(source, binary, work):
            examples.setdefault(name, check(validators[name], path, problems))
            checked += 1
    for name in names:
        if name not in examples:
            problems.append(f"{name}: no document of this format was checked")
        else:
            rejects(validators[name], name, examples[name], problems)
    for p in problems:
        print("FAIL", p)
    print(f"{checked} documents checked against {len(names)} schemas: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
