#!/usr/bin/python3
"""Mutation check: does the test suite notice when the model is wrong?

Applies one-line semantic mutations of the model (energy, timing, arbitration, buffering, tie-break, PE
arithmetic, mapper bound, polarization) and changes of the numbers in the shipped technology table and default
preset, one at a time, to a scratch copy of the tree; rebuilds it incrementally; runs the test labels that
guard that part; and prints `N mutants: K caught`. A mutant is caught when some test fails. Every mutant must
be caught; one that is not names a figure the suite does not protect.

    scripts/mutation-check.py [--scratch DIR] [--only SUBSTRING] [--no-data]

Not part of the default CI run: it rebuilds the tests it runs once per code mutant (about a minute each on 2
cores).
Standard library only.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Test labels: the fast suites that pin figures (golden hand-computed layers and whole-run reports, model,
# accelerator, mapper, PE arrays, sparse attention, spec).
FIGURES = "golden|model|accel|spec|sparse_attention"
MAPPER = "mapper|golden"
LEVEL1 = "pe_array|sparse_attention"
IMPORTER = "importer|spec"
# A changed number in a shipped file moves figures (golden) or a cited value (spec); no rebuild needed.
DATA = "golden|spec|sparse_attention"

# (what, file, text as it is, text after the mutation, labels to run)
CODE_MUTANTS = [
    ("energy: DRAM energy doubled", "model/energy_model.cpp",
     "dram_byte_ = arch.dram.access.value_or(t.dram_access_64b_pJ() / 8.0);",
     "dram_byte_ = arch.dram.access.value_or(t.dram_access_64b_pJ() / 4.0);", FIGURES),
    ("energy: SRAM energy per byte doubled", "model/energy_model.cpp",
     "return t.sram_access_64b_pJ(sram_bytes) / 8.0;", "return t.sram_access_64b_pJ(sram_bytes) / 4.0;",
     FIGURES),
    ("energy: partial-sum adds free", "model/energy_model.cpp",
     "double(a.psum_adds) * t.int_add_pJ(c.pe.acc_bits);", "0.0 * t.int_add_pJ(c.pe.acc_bits);", FIGURES),
    ("energy: idle PEs of a computing chunk free", "model/energy_model.cpp",
     "e.idle = std::max(0.0, pe_cycles - double(a.macs)) * t.pe_idle_pJ_per_cycle();", "e.idle = 0;",
     FIGURES),
    ("energy: leakage dropped from static energy", "model/energy_model.cpp",
     "return leakage_pJ_per_cycle() * double(total_cycles) + idle;", "return idle;", FIGURES),
    ("energy: idle units dropped from static energy", "model/energy_model.cpp",
     "return leakage_pJ_per_cycle() * double(total_cycles) + idle;",
     "return leakage_pJ_per_cycle() * double(total_cycles);", FIGURES),
    ("energy: the sparse engine's MACs draw no idle energy outside compute", "spec/arch_spec.cpp",
     'u.kind = UnitKind::SparseEngine, u.name = "sparse_attn", u.op = OpType::Mult, u.idles = true;',
     'u.kind = UnitKind::SparseEngine, u.name = "sparse_attn", u.op = OpType::Mult, u.idles = false;',
     FIGURES),
    ("energy: adder PE costed with one add instead of subtract + absolute value", "model/pe_operation.hpp",
     "      p.add(ArithOp::Kind::Add, operand);  // absolute value\n", "", FIGURES),
    ("area: SRAM per KiB read as per 1000 B", "model/area_model.hpp",
     "return double(bytes) / 1024.0 * t.sram_um2_per_KiB();", "return double(bytes) / 1000.0 * t.sram_um2_per_KiB();",
     FIGURES),
    ("memory: global-buffer staging of DRAM bytes counted once", "model/memory_transfer.hpp",
     "a.glb_bytes += 2.0 * double(bytes);", "a.glb_bytes += 1.0 * double(bytes);", FIGURES),
    ("memory: DRAM transfers not rounded to bursts", "model/memory_transfer.hpp",
     "return (bytes + b - 1) / b * b;", "return bytes;", FIGURES),
    ("memory: the store's read of the output buffer not counted", "mapper/gemm_tiling.cpp",
     "if (k.last) {\n          a.output_buffer_bytes += double(times) * acc_bytes;",
     "if (k.last) {\n          a.output_buffer_bytes += 0;", FIGURES),
    ("memory: prefetched weights wait for the layer's dependencies like its other fetches",
     "sim/accel/accelerator.cpp",
     "const size_t early = std::min(first.size(), size_t(std::max(j->plan->prefetch_fetches, 0)));",
     "const size_t early = 0;", FIGURES),
    ("memory: a weight prefetch allowed one byte beyond the global buffer's room", "mapper/network_mapper.cpp",
     "if (held > capacity || bytes > capacity - held) return false;",
     "if (held > capacity || bytes > capacity - held + 1) return false;", MAPPER),
    ("channel: a transfer never waits for the channel (a private channel each)", "model/channel_timing.hpp",
     "const uint64_t start = std::max(now, free_at_);", "const uint64_t start = now;", FIGURES),
    ("channel: DRAM latency ignored", "model/channel_timing.hpp",
     "return free_at_ + latency_;", "return free_at_;", FIGURES),
    ("channel: occupancy rounded down", "spec/quantity.hpp",
     "return uint64_t((num + bytes - 1) / bytes);", "return uint64_t(num / bytes);", FIGURES),
    ("arbitration: same-cycle requests served in arrival order", "sim/accel/arbitrated_channel.hpp",
     "    pending_.insert(std::upper_bound(pending_.begin(), pending_.end(), p,\n"
     "                                     [](const Pending& a, const Pending& b) { return a.order < b.order; }),\n"
     "                    p);", "    pending_.push_back(p);", FIGURES),
    ("arbitration: unit order reversed", "model/channel_timing.hpp",
     "return std::tie(unit, kind, seq) < std::tie(o.unit, o.kind, o.seq);",
     "return std::tie(o.unit, kind, seq) < std::tie(unit, o.kind, o.seq);", FIGURES),
    ("arbitration: a unit's stores before its loads", "model/channel_timing.hpp",
     "return std::tie(unit, kind, seq) < std::tie(o.unit, o.kind, o.seq);",
     "return std::tie(unit, o.kind, seq) < std::tie(o.unit, kind, o.seq);", FIGURES),
    ("cost model: same-cycle store before load", "model/pipeline_timing.hpp",
     "do_load = load_at <= store_at;", "do_load = load_at < store_at;", MAPPER),
    ("buffering: a tile may fill its whole buffer (single buffering)", "model/buffering.hpp",
     "return buffer_bytes * 8 / kBufferSlots;", "return buffer_bytes * 8;", FIGURES + "|mapper"),
    ("buffering: the accelerator model gives a unit one input slot", "sim/accel/accelerator.cpp",
     "in_slots_(kBufferSlots),", "in_slots_(1),", FIGURES + "|mapper"),
    ("timing: a fold one cycle longer", "model/fold_timing.hpp",
     "return uint64_t(s.stream_dim + 2 * s.rows_dim + s.cols_dim - 2);",
     "return uint64_t(s.stream_dim + 2 * s.rows_dim + s.cols_dim - 1);", FIGURES + "|" + LEVEL1),
    ("timing: tile cycles drain once per column fold", "model/fold_timing.hpp",
     "return uint64_t(fr * fc * (s.stream_dim - 2) + 2 * fc * s.rows_dim + fr * s.cols_dim);",
     "return uint64_t(fr * fc * (s.stream_dim - 2) + fc * s.rows_dim + fr * s.cols_dim);",
     FIGURES + "|" + LEVEL1),
    ("timing: vector tiles round lanes down", "mapper/vector_tiles.cpp",
     "(e1 - e0 + uint64_t(v.lanes) - 1) / uint64_t(v.lanes) * uint64_t(cost.cycles_per_element);",
     "(e1 - e0) / uint64_t(v.lanes) * uint64_t(cost.cycles_per_element);", FIGURES),
    ("timing: MAC lines without their pipeline drain cycle", "model/engine_timing.hpp",
     "constexpr uint64_t kMacLinePipelineDrain = 1;", "constexpr uint64_t kMacLinePipelineDrain = 0;",
     FIGURES),
    ("pipelining: WS/IS folds do not wait for the next weights' preload", "model/fold_timing.hpp",
     "return std::max(stream + std::max<int64_t>(0, r_f - r_next), r_f - 1 + r_next);",
     "return std::max(stream + std::max<int64_t>(0, r_f - r_next), r_next);", LEVEL1),
    ("pipelining: OS results assumed to leave as fast as the folds finish", "model/fold_timing.hpp",
     "if (output_stationary(d)) return std::max(stream, 2 * r_f - 1);",
     "if (output_stationary(d)) return std::max(stream, r_f);", LEVEL1),
    ("transposed OS: the array's sides not swapped (m on the rows)", "model/fold_timing.hpp",
     "      return {n, m, k};", "      return {m, n, k};", LEVEL1),
    ("transposed OS: activations read once per column fold, weights once per row fold",
     "mapper/gemm_tiling.cpp", "      a_reads = double(m * k * fr), b_reads = double(k * n * fc);\n      break;\n  }",
     "      a_reads = double(m * k * fc), b_reads = double(k * n * fr);\n      break;\n  }", FIGURES),
    ("pipelining: a tile is stored before its last results are complete", "sim/accel/accelerator.cpp",
     "if (ready > Accelerator::now_cycles())", "if (false)", FIGURES + "|mapper"),
    ("pipelining: the shadow is used but not kept on a fold's first element", "sim/pe_array/pipelined_array.cpp",
     "if (xf) stat_[p] = held;", "(void)xf;", LEVEL1),
    ("sparse: SpMM runs one entry short of the balanced share", "model/engine_timing.hpp",
     "return lines <= 0 ? 0 : ceil_div(entries, uint64_t(lines));",
     "return lines <= 0 ? 0 : entries / uint64_t(lines);", LEVEL1),
    ("sparse: one line split per layer's work instead of the fastest per head",
     "mapper/sparse_attention_mapping.cpp", "  int best = 1;\n",
     "  return std::clamp(int(std::llround(proportional)), 1, e.lines - 1);\n  int best = 1;\n", FIGURES),
    ("sparse: the gather port serves the lowest lines first", "sim/sparse_attention/mac_line_group.cpp",
     "std::stable_sort(waiting.begin(), waiting.end(), [&](size_t a, size_t b) { return left(a) > left(b); });",
     "(void)left;", LEVEL1),
    ("sparse: the gather port never binds in the closed form", "model/engine_timing.hpp",
     "if (gather_lines <= 0) return longest_line_beats;", "return longest_line_beats;", LEVEL1),
    ("PE: shift rounds toward zero", "sim/pe_array/pe_arith.hpp",
     "const int64_t scaled = (x * (int64_t(1) << f.frac_bits)) >> s;",
     "const int64_t scaled = (x * (int64_t(1) << f.frac_bits)) / (int64_t(1) << s);", LEVEL1),
    ("PE: adder adds +|x - w|", "sim/pe_array/pe_arith.hpp",
     "return -(d < 0 ? -d : d);", "return (d < 0 ? -d : d);", LEVEL1),
    ("PE: wrap keeps one bit too many", "sim/pe_array/pe_arith.hpp",
     "const int drop = 64 - bits;", "const int drop = 63 - bits;", LEVEL1),
    ("PE: saturation one below the maximum", "sim/pe_array/pe_arith.hpp",
     "const int64_t hi = (int64_t(1) << (bits - 1)) - 1, lo = -hi - 1;",
     "const int64_t hi = (int64_t(1) << (bits - 1)) - 2, lo = -hi - 2;", LEVEL1),
    ("import: depthwise and grouped convolutions lose their groups", "importer/onnx_import.cpp",
     'if (groups != 1) l["groups"] = groups;', 'if (groups != 1 && false) l["groups"] = groups;', IMPORTER),
    ("import: a bias after a linear layer stays an add layer", "importer/onnx_import.cpp",
     "if (!linear_of_.count(act) || only_consumer(act) != &n) return false;", "return false;", IMPORTER),
    ("import: a transpose of a matmul's B is a copy, not folded", "importer/onnx_import.cpp",
     "  if (folds) {", "  if (folds && false) {", IMPORTER),
    ("workload: a slice after a dimension larger than 1 counts as contiguous", "spec/network.cpp",
     "contiguous = contiguous && in[size_t(d)] == 1;", "contiguous = contiguous && in[size_t(d)] >= 1;", IMPORTER),
    ("mapper: a convolution strip keeps no halo of the strip before", "spec/network.cpp",
     "return rows - std::min(rows, halo);", "return rows;", MAPPER),
    ("mapper: the closed form keeps a halo across passes over m", "mapper/gemm_tiling.cpp",
     "add_dram(arch, bytes(!first), true, passes, TensorRole::Input, c);",
     "add_dram(arch, bytes(true), true, passes, TensorRole::Input, c);", MAPPER),
    ("mapper: ties go to the last mapping", "mapper/mapping_search.cpp",
     "return value < best_value || (value == best_value && index < best_index);",
     "return value < best_value || (value == best_value && index > best_index);", MAPPER),
    ("mapper: the bound overestimates (compute + port instead of max)", "mapper/mapping_search.cpp",
     "uint64_t b = std::max(c.actions.compute_cycles, c.glb_occupancy);",
     "uint64_t b = c.actions.compute_cycles + c.glb_occupancy;", MAPPER),
    ("mapper: dimensions up to 32 no longer try every tile size", "mapper/mapping_search.hpp",
     "constexpr int64_t kEveryTileUpTo = 32;", "constexpr int64_t kEveryTileUpTo = 0;", MAPPER),
    ("polarization: a column with exactly the threshold is global", "mapper/polarization.cpp",
     "if (enabled && c > uint32_t(threshold)) {", "if (enabled && c >= uint32_t(threshold)) {",
     FIGURES),
    ("lut: the stem and head left out of the cost table", "nas/cost_table.cpp",
     "if (!chosen) add(blocks, l.cost);", "if (false) add(blocks, l.cost);", "cli-lut"),
    ("lut: vector-unit work counted as PE operations", "nas/cost_table.cpp",
     'const uint64_t macs = l.unit == "vector" ? 0 : l.macs;', "const uint64_t macs = l.macs;", "cli-lut"),
    ("spec: each operator's MACs counted on the multipliers", "spec/network.cpp",
     "macs[size_t(l.op)] += l.macs();", "macs[0] += l.macs();", "spec"),
    ("search: the front's operator shares count vector-unit work as multiplications", "nas/evaluation.cpp",
     'if (l.unit != "vector") h.macs_by_op', "if (true) h.macs_by_op", "cli-search"),
    ("search: a co-design candidate over the area budget is simulated anyway", "nas/search_run.cpp",
     "if (c_.area_budget_mm2 > 0 && area > c_.area_budget_mm2) {", "if (false) {", "cli-search"),
    ("search: a batched estimator is asked again for a network it scored", "nas/search_run.cpp",
     "if (accuracy_of_network_.count(key) || std::find(", "if (std::find(", "cli-search"),
    ("search: a co-design candidate is simulated on the base accelerator", "nas/evaluation.cpp",
     'const ArchSpec arch = read_arch(JsonField::from(task.at("arch"), arch_file));',
     "const ArchSpec arch = read_arch(arch_file);", "cli-search"),
    ("train: a step's gradient not clipped", "train/trainer.cpp",
     "torch::nn::utils::clip_grad_norm_(clipped_parameters(*net), kGradientClip);",
     "(void)clipped_parameters(*net);", "train"),
    ("train: adder weights clipped with the rest though they scale their own gradient", "train/operators.hpp",
     'return op_ == "adder" && adder_eta_ > 0;', 'return false && op_ == "adder";', "train"),
    ("train: adder weights start at a multiplier's Kaiming scale", "train/operators.cpp",
     'if (op == "adder")', 'if (false)', "train"),
    ("train: the warm-up and the ramp draw every option alike", "train/supernet.hpp",
     "return net.multiplier_only(g, o) ? 1.0 : others;", "return 1.0;", "train"),
    ("train: a one-operator path mixes operators", "train/supernet.hpp",
     "return of < 0 || of == op ? 1.0 : 0.0;", "return 1.0;", "train"),
    ("train: no batch trains a one-operator path", "train/trainer.hpp",
     "return batch % 2 ? sample_one_operator_path", "return false ? sample_one_operator_path", "train"),
    ("train: the ramp's weight stays 0 after the warm-up", "train/trainer.cpp",
     "return std::min(1.0, (double(epoch - o.warmup_epochs) + fraction) / double(o.ramp_epochs));",
     "return 0;", "train"),
    ("train: an option of a shared stack runs the kernel's corner", "train/operators.cpp",
     "crop = (shape_.kernel - shape.kernel) / 2;", "crop = 0 * (shape_.kernel - shape.kernel);", "train"),
]

DATA_FILES = ["arch/tech/45nm.json", "arch/default.json"]


def data_mutants():
    """Every number of a value field in the technology table and the default preset, changed."""
    out = []
    for rel in DATA_FILES:
        lines = open(os.path.join(SRC, rel)).read().split("\n")
        for i, line in enumerate(lines):
            if re.search(r'^\s*"[a-z0-9_]+": "[A-Z]\.', line) or '"format"' in line:  # citations, format tags
                continue
            # Numbers in notes, descriptions and the node name are prose, not figures.
            prose = [m.span() for m in re.finditer(r'"(note|description|node)": "[^"]*"', line)]
            for m in re.finditer(r'(?<![\w.])(\d+(?:\.\d+)?)(?![\w.])', line):
                if any(a <= m.start() < b for a, b in prose):
                    continue
                v = m.group(1)
                nv = repr(float(v) * 1.5) if "." in v else str(int(v) + 1)
                mutated = line[: m.start()] + nv + line[m.end():]
                # The whole line number i: identical lines (two chunks alike) are told apart by position.
                out.append((f"data: {rel}:{i + 1} {v} -> {nv}", rel, (i, line), mutated, DATA))
    return out


def sync_tree(src, dst):
    """Copies the tree to the scratch copy, rewriting only files whose contents differ (with a fresh time, so
    an existing scratch build rebuilds exactly what changed) and removing files the tree no longer has."""
    skip = {"build", ".git", "sweep-out", "search-out"}
    wanted = set()
    for folder, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if d not in skip and not d.startswith("build")]
        rel = os.path.relpath(folder, src)
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for f in files:
            a, b = os.path.join(folder, f), os.path.join(dst, rel, f)
            wanted.add(os.path.normpath(b))
            if not os.path.exists(b) or open(a, "rb").read() != open(b, "rb").read():
                shutil.copy(a, b)
    for folder, dirs, files in os.walk(dst):
        dirs[:] = [d for d in dirs if d not in skip and not d.startswith("build")]
        for f in files:
            if os.path.normpath(os.path.join(folder, f)) not in wanted:
                os.remove(os.path.join(folder, f))


def targets_for(build, labels, scratch):
    """The executables the tests of `labels` run, and the cosim binary: all a mutant needs rebuilt."""
    code, out = run(["ctest", "--test-dir", build, "-L", labels, "-LE", "slow", "--show-only=json-v1"], scratch)
    names = {"cosim"}
    if code == 0:
        for t in json.loads(out).get("tests", []):
            exe = (t.get("command") or [""])[0]
            if exe.startswith(build) and os.path.basename(exe):
                names.add(os.path.basename(exe))
    return sorted(names)


def check_patterns():
    """Every code mutant's text occurs exactly once and every data mutant's line is as read: a refactoring that
    leaves a mutant stale shows here, not when someone next runs the slow check."""
    stale = []
    for what, rel, old, _new, _labels in CODE_MUTANTS + data_mutants():
        text = open(os.path.join(SRC, rel)).read()
        if isinstance(old, tuple):
            lines = text.split("\n")
            if old[0] >= len(lines) or lines[old[0]] != old[1]:
                stale.append(f"{what}: line {old[0] + 1} of {rel} is not as read")
        elif text.count(old) != 1:
            stale.append(f"{what}: the text to mutate occurs {text.count(old)} times in {rel}")
    for s in stale:
        print("stale mutant: " + s)
    print(f"mutation-check: {len(CODE_MUTANTS)} code mutants, {len(stale)} stale")
    return 1 if stale else 0


def run(cmd, cwd, quiet=True):
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE if quiet else None,
                       stderr=subprocess.STDOUT if quiet else None, text=True)
    return r.returncode, (r.stdout or "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scratch", default="/tmp/cosim-mutants")
    ap.add_argument("--only", default="")
    ap.add_argument("--no-data", action="store_true")
    ap.add_argument("--no-code", action="store_true")
    ap.add_argument("--tree", default="",
                    help="mutate this checkout in place, with its build in TREE/build, instead of a scratch copy "
                         "(each file is restored after its mutant)")
    ap.add_argument("--patterns", action="store_true",
                    help="only check that every mutant still applies to this tree (no build; a ctest runs it)")
    args = ap.parse_args()
    if args.patterns:
        sys.exit(check_patterns())
    scratch = args.tree or args.scratch
    build = os.path.join(scratch, "build")
    jobs = str(os.cpu_count() or 2)
    if not args.tree:
        sync_tree(SRC, scratch)
        if run(["cmake", "-S", scratch, "-B", build, "-DCMAKE_BUILD_TYPE=Release"], scratch)[0] != 0:
            sys.exit("mutation-check: cmake failed")
    print("mutation-check: building the scratch copy in " + build, flush=True)
    if run(["cmake", "--build", build, "-j" + jobs], scratch)[0] != 0:
        sys.exit("mutation-check: the unmutated copy does not build")

    mutants = ([] if args.no_code else CODE_MUTANTS) + ([] if args.no_data else data_mutants())
    mutants = [m for m in mutants if args.only in m[0]]
    caught, missed, invalid = 0, [], []
    for what, rel, old, new, labels in mutants:
        path = os.path.join(scratch, rel)
        text = open(path).read()
        if isinstance(old, tuple):  # a data mutant: line number, line as it is
            lines = text.split("\n")
            if lines[old[0]] != old[1]:
                invalid.append(what + " (the line is not as read)")
                continue
            lines[old[0]] = new
            mutated = "\n".join(lines)
        elif text.count(old) != 1:
            invalid.append(what + f" (the text to mutate occurs {text.count(old)} times in {rel})")
            print("INVALID  " + what, flush=True)
            continue
        else:
            mutated = text.replace(old, new, 1)
        open(path, "w").write(mutated)
        try:
            code, out = run(["cmake", "--build", build, "-j" + jobs, "--target"] + targets_for(build, labels, scratch),
                            scratch)
            if code != 0:
                invalid.append(what + " (does not build)")
                print("INVALID  " + what + " (does not build)", flush=True)
                continue
            code, out = run(["ctest", "--test-dir", build, "-j" + jobs, "-L", labels, "-LE", "slow"], scratch)
            failed = re.search(r"(\d+) tests failed out of (\d+)", out)
            if code != 0:
                caught += 1
                print(f"caught   {what}  ({failed.group(1) if failed else '?'} tests failed)", flush=True)
            else:
                missed.append(what)
                print("MISSED   " + what, flush=True)
        finally:
            open(path, "w").write(text)
    run(["cmake", "--build", build, "-j" + jobs], scratch)
    print(f"{len(mutants) - len(invalid)} mutants: {caught} caught")
    for m in missed:
        print("  missed: " + m)
    for m in invalid:
        print("  invalid: " + m)
    sys.exit(0 if not missed and not invalid else 1)


if __name__ == "__main__":
    main()
