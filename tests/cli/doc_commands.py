#!/usr/bin/python3
"""Runs every cosim command the README's "Using it" block and the docs' sh blocks show, as written (and the
scripts/ they run with Debian's python to make their inputs, e.g. an ONNX model).

Each document's commands run in order, in a fresh folder laid out like the source tree (build/, arch/,
workloads/, ... linked in, ../shared/data beside it), so a command may use what an earlier one of the same
document wrote. A command that is long is scaled down by the substitutions in SCALE_DOWN below (each names
why); a command that does not exit 0 fails the test with its output, so a placeholder (a file that does not
exist, "...") fails it too.

usage: doc_commands.py SOURCE_DIR BUILD_DIR [--list]
"""
import os
import re
import subprocess
import sys
import tempfile

# (pattern, replacement, why): applied to the command text before it runs.
SCALE_DOWN = [
    (r"--budget (\d+)", "--budget 24", "a search's budget only sets how long it runs"),
    (r"^(\./build/cosim search)(?!.*--budget)", r"\1 --budget 24",
     "the default budget of 300 takes a minute under the sanitizers"),
    (r"--cycles (\d+)", "--cycles 2000", "verify compares every cycle; 2000 cover every phase"),
    (r"--pipeline 32", "--pipeline 4", "the pipelined schedule's length only scales with the items"),
    (r"sweep sweeps/chunk_shapes.json(?! --random)", "sweep sweeps/chunk_shapes.json --random 3",
     "the whole grid is 72 configurations; 3 sampled ones go the same way"),
    (r"--random 20", "--random 3", "as above"),
    (r"train (.*)--epochs (\d+)", r"train \1--epochs 1 --train-images 128 --validation-images 100",
     "an epoch over 55,000 images takes minutes; one over 128 goes the same way"),
    (r"--epochs 1 (.*)--warmup-epochs (\d+)", r"--epochs 2 \1--warmup-epochs 1",
     "a warm-up needs an epoch after it; one of each goes the same way"),
    (r"--ramp-epochs (\d+)", "--ramp-epochs 1", "a ramp of one epoch after the warm-up's goes the same way"),
    (r"export-torchvision\.py resnet50 ", "export-torchvision.py resnet18 ",
     "any torchvision model goes the same way through export and import (the file keeps its name); resnet18 "
     "exports and maps in a fraction of resnet50's time"),
    (r"--set chunks.mac.rows\+chunks.mac.cols=8,16,32", "--set chunks.mac.rows+chunks.mac.cols=8,16",
     "two values of a parameter go the same way as three"),
]

SOURCE_LINKS = ["arch", "workloads", "sweeps", "spaces", "scripts", "docs", "tests"]


def commands_of(path, readme):
    """The cosim command lines of a markdown file: the README's "Using it" block, or every sh block."""
    text = open(path, encoding="utf-8").read()
    if readme:
        start = text.index("## Using it")
        text = text[start:text.index("\n## ", start + 1)]
    lines, in_sh = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            in_sh = line.strip() == "```sh" and not in_sh
            continue
        stripped = line.strip()
        if in_sh and stripped.startswith(("./build/cosim", "cp ", "/usr/bin/python3 scripts/")):
            lines.append(re.sub(r"\s+#\s.*$", "", stripped))
    return lines


def scaled(command):
    for pattern, replacement, _ in SCALE_DOWN:
        command = re.sub(pattern, replacement, command)
    return command


def prepare(work, source, build):
    root = os.path.join(work, "cosim")
    os.makedirs(root)
    for name in SOURCE_LINKS:
        os.symlink(os.path.join(source, name), os.path.join(root, name))
    os.symlink(build, os.path.join(root, "build"))
    shared = os.environ.get("COSIM_SHARED_DATA")
    if not shared:
        for candidate in (os.path.join(source, "..", "shared", "data"), "/work/shared/data"):
            if os.path.isdir(candidate):
                shared = candidate
                break
    if shared:
        os.makedirs(os.path.join(work, "shared"))
        os.symlink(os.path.abspath(shared), os.path.join(work, "shared", "data"))
    return root


def run_document(doc, source, build):
    failures = []
    with tempfile.TemporaryDirectory(prefix="cosim-doc-") as work:
        root = prepare(work, source, build)
        for command in commands_of(os.path.join(source, doc), doc == "README.md"):
            run = scaled(command)
            proc = subprocess.run(run, shell=True, cwd=root, capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL, timeout=900)
            status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}"
            print(f"{doc}: {status}: {command}" + (f"   (run as: {run})" if run != command else ""))
            if proc.returncode != 0:
                failures.append(f"{doc}: `{command}` exited {proc.returncode}:\n{proc.stdout[-2000:]}"
                                f"{proc.stderr[-2000:]}")
    return failures


def main():
    source, build = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    docs = ["README.md"] + sorted("docs/" + f for f in os.listdir(os.path.join(source, "docs"))
                                  if f.endswith(".md"))
    if "--list" in sys.argv:
        for doc in docs:
            for c in commands_of(os.path.join(source, doc), doc == "README.md"):
                print(f"{doc}: {c}")
        return 0
    failures, count = [], 0
    for doc in docs:
        count += len(commands_of(os.path.join(source, doc), doc == "README.md"))
        failures += run_document(doc, source, build)
    if count < 20:
        print(f"only {count} commands found in the README and docs: the extraction broke")
        return 1
    for f in failures:
        print("FAILED " + f)
    print(f"{count} commands, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
