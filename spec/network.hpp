// A workload: the network as a flat list of layers in program order, each knowing its producers, its output
// shape and the work it gives the accelerator. Read from a workload file (docs/workload-format.md): repeated
// blocks are expanded, attention is split into its matrix products and softmax, shapes are propagated and
// checked.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "spec/arch_spec.hpp"
#include "spec/attention_mask.hpp"
#include "spec/op_types.hpp"

namespace cosim {

using Shape = std::vector<int64_t>;
std::string to_string(const Shape& s);
int64_t elements(const Shape& s);  // saturates at INT64_MAX
// The product of non-negative factors, or INT64_MAX when it overflows (or a factor is negative).
int64_t saturating_product(std::initializer_list<int64_t> factors);

// Limits a workload is checked against before anything is allocated or computed from it.
constexpr int64_t kMaxTensorElements = int64_t(1) << 40;        // per tensor, batch included
constexpr int64_t kMaxLayerWork = int64_t(1) << 50;             // MACs or vector element operations per layer
constexpr size_t kMaxLayers = 100000;                           // after repeats are expanded
constexpr int64_t kMaxMaskEntries = int64_t(1) << 30;           // heads x N x N of one attention layer's mask
constexpr int64_t kMaxGeneratedMaskEntries = int64_t(1) << 32;  // all generated masks of a workload

// out[g][m][n] = sum_k f(a[g][m][k], b[g][k][n]) for g < groups.
struct GemmShape {
  int64_t groups = 1, m = 1, k = 1, n = 1;
  uint64_t macs() const { return uint64_t(groups) * m * k * n; }
};

// The sliding window of a conv2d layer, per group. Its GEMM's m runs over output pixels (item, row, column)
// and k over (channel, kernel row, kernel column): the im2col expansion, which the global buffer does not
// hold. A strip of its output pixels needs only the input pixels under its windows.
struct ConvWindow {
  int64_t in_h = 0, in_w = 0, channels = 0;  // the input, per group (in_h 0: not a convolution)
  int64_t kh = 1, kw = 1, sh = 1, sw = 1;
  int64_t out_h = 1, out_w = 1, items = 1;  // output rows and columns per item; batch items
  bool valid() const { return in_h > 0; }
  // Input elements (per group) under the windows of `pixels` consecutive output pixels (a global-buffer
  // strip; whole K): whole input rows of the output rows it may span, the rows of neighbouring output rows
  // overlapping when the stride is below the kernel; at most the whole input, and never more than the
  // expansion (pixels x K). Non-decreasing in `pixels`.
  uint64_t input_elements(int64_t pixels) const;
  // The same for a slice of `k` consecutive reduction positions starting at a multiple of `step` (the
  // slices' size; the last may be shorter; K ordered channel, kernel row, kernel column, channel outermost):
  // the channels the slice touches, k / (kh kw) when k and step are multiples of kh kw (aligned), else at
  // most two more than it fills whole; never more than the expansion (pixels x k).
  uint64_t input_elements(int64_t pixels, int64_t k, int64_t step) const;
  // Elements the global buffer fetches for such a strip when strips of `strip` pixels are fetched in order
  // along one pass over the output (a strip starts at a multiple of `strip`). When `strip` is a multiple of
  // the output width every strip starts at a row's first pixel and spans ceil(pixels / out_w) output rows,
  // not one more (and, when the strips also tile the items, touches no item it does not need). When `follows`
  // (the strip before it in the pass is the one the buffer holds, whole K) the buffer keeps that strip's last
  // kh - sh input rows, which this strip's windows also cover (halo reuse), and fetches only the rest; not
  // when the windows do not overlap (kh <= sh), when the strips are held expanded (the expansion is smaller
  // than whole rows) or when there is more than one item (a strip starting an item shares no rows with the
  // one before).
  uint64_t fetched_elements(int64_t pixels, int64_t strip, int64_t k, int64_t step, bool follows) const;
  auto key() const { return std::make_tuple(in_h, in_w, channels, kh, kw, sh, sw, out_h, out_w, items); }

 private:
  // Whole input rows (all channels) under the windows of `pixels` consecutive output pixels starting at a
  // multiple of `strip` (0: anywhere); no cap at the expansion.
  uint64_t whole_rows_elements(int64_t pixels, int64_t strip) const;
  // Channels a slice of `k` reduction positions starting at a multiple of `step` touches.
  int64_t channels_touched(int64_t k, int64_t step) const;
};

// Elements a global-buffer tile of `rows` GEMM rows and `k` of the reduction holds of operand a: the rows as
// they are, or the input pixels under a convolution's windows.
inline uint64_t staged_input_elements(const ConvWindow& w, int64_t rows, int64_t k, int64_t step) {
  return w.valid() ? w.input_elements(rows, k, step) : uint64_t(rows) * uint64_t(k);
}
// Elements of operand a a global-buffer fetch brings in (ConvWindow::fetched_elements): the rows as they
// are, or the input pixels under a convolution's windows that the buffer does not already hold.
inline uint64_t fetched_input_elements(const ConvWindow& w, int64_t rows, int64_t strip, int64_t k,
                                       int64_t step, bool follows) {
  return w.valid() ? w.fetched_elements(rows, strip, k, step, follows) : uint64_t(rows) * uint64_t(k);
}

enum class WorkKind {
  None,    // the network input, reshapes and token selection: no data moved, no cycles
  Gemm,    // runs on the chunk of its operator
  Vector,  // runs on the vector unit
};

// What the three layers of one attention (qk, softmax, sv) share: its shape and, for sparse attention, its
// mask.
struct AttentionInfo {
  std::string name;  // the attention layer's name, e.g. "block3.attn"
  int64_t heads = 0, head_dim = 0, tokens = 0;
  std::shared_ptr<const MaskSet> mask;  // null: dense attention
  int mask_layer = 0;                   // which layer of the mask set
  std::string mask_pointer;             // JSON pointer of the "mask" field
};

// Which part of an attention a layer is (an `attention` layer becomes three).
enum class AttentionPart { None, Scores, Softmax, Values };  // NAME.qk, NAME.softmax, NAME.sv

struct Layer {
  std::string name;         // unique, e.g. "block3.fc1"
  std::string type;         // as written, or "attention.qk" / "attention.softmax" / "attention.sv"
  std::string pointer;      // JSON pointer of the layer in the workload file, for errors found later
  std::vector<int> inputs;  // producer layer indices (0 is the network input)
  Shape out_shape;
  int out_bits = 8;  // bits per element of the output tensor

  WorkKind work = WorkKind::None;
  // Gemm layers. Operand a is inputs[0]; operand b is the layer's weights when b_is_weight, else inputs[1].
  GemmShape gemm;
  OpType op = OpType::Mult;
  int act_bits = 8, weight_bits = 8;
  bool b_is_weight = true;
  bool b_transposed = false;  // b is stored as [n][k] (K of attention)
  ConvWindow conv;            // conv2d layers
  // Vector layers.
  VectorOp vector_op = VectorOp::Add;
  uint64_t vector_elements = 0;  // element operations (pool: output elements x window)
  uint64_t vector_row = 1;       // elements that must stay together in one tile (softmax/layernorm rows)
  // Layers of an attention (types attention.qk / .softmax / .sv).
  AttentionPart part = AttentionPart::None;
  std::shared_ptr<const AttentionInfo> attention;

  uint64_t macs() const { return work == WorkKind::Gemm ? gemm.macs() : 0; }
};

struct Network {
  std::string file;
  std::string name;
  int64_t batch = 1;
  std::vector<Layer> layers;  // layers[0] is the network input

  uint64_t total_macs() const;
  // The PE operations of each operator (indexed by OpType, kOpTypes' order): how much of the network's
  // arithmetic runs on multipliers, shifters and adders.
  std::array<uint64_t, 3> macs_by_op() const;
  // The DRAM bytes no schedule avoids: every weight read once, the network input read once and each output
  // no layer reads (the result) written once; `items` batch items stream the input and result `items` times.
  uint64_t compulsory_dram_bytes(int items = 1) const;
};

struct NetworkOptions {
  std::string mask_file;  // when set, every attention mask given as "npy" is read from this file instead
};

// Reads, expands and shape-checks a workload. Throws InputError.
Network read_network(const std::string& file, const NetworkOptions& options = {});
Network read_network(const JsonField& root, const NetworkOptions& options = {});

// Checks that `arch` can run every layer of `net`: a chunk for each operator, with wide enough PEs.
// Throws InputError naming the workload's field and the architecture file.
void check_supported(const Network& net, const ArchSpec& arch);

}  // namespace cosim
