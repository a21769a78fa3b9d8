// Where each activation lives (docs/accelerator-model.md, "Tensor lifetimes"): in the global buffer from its
// producer to its last consumer, or in DRAM, decided by liveness over the layer graph in program order.
//
// A tensor's life is the layers from its producer to its last consumer (residual branches included: the skip
// tensor lives until the add that reads it). At every layer of that life the global buffer must hold every
// tensor kept there and still live, plus the layer's staging reserve (room for the global-buffer tiles of
// what it streams from DRAM: a strip of the array's width of each operand and of its output, double
// buffered). A vector-unit layer whose input dies at it and is no smaller than its output works in place: the
// output takes the input's space. Policy: tensors are decided in the order they are produced; one is kept for
// its whole life if it fits beside those already kept at every layer of its life, otherwise it goes to DRAM
// for its whole life (written once by its producer, read by each consumer). The network input starts in DRAM,
// weights always live there, and an output no layer reads (the network's result) is written to DRAM.
//
// Dense attention in passes: when an attention's scores (all heads) do not fit, its three layers (qk,
// softmax, sv) run pass by pass over groups of heads, each pass's scores taking one buffer reused by the next
// pass: the largest number of heads per pass that divides the attention's heads (x batch items) and fits is
// chosen, and the scores and probabilities are kept at the size of one pass. When not even one head fits they
// go to DRAM.
#pragma once

#include <cstdint>
#include <vector>

#include "spec/arch_spec.hpp"
#include "spec/network.hpp"

namespace cosim {

struct TensorResidency {
  std::vector<bool> in_dram;  // per layer: its output tensor lives in DRAM (else the global buffer)
  std::vector<uint64_t> resident_bytes;   // per layer: global-buffer bytes held by kept tensors while it runs
  std::vector<uint64_t> staging_reserve;  // per layer: bytes kept free for its staged tiles
  // Per layer of a dense attention run in passes: GEMM groups (heads x batch items) per pass; 0 elsewhere
  // (and for an attention whose scores are kept whole or go to DRAM).
  std::vector<int64_t> groups_per_pass;
};

// `stored_bytes[i]`: bytes of layer i's output as stored (the whole batch; encoder and sparse scores
// applied); `source[i]`: the layer whose tensor layer i's output is (itself, or its input for a reshape);
// `passable[i]`: layer i is the qk layer of an attention that may run in passes (dense, on a chunk).
TensorResidency plan_residency(const Network& net, const ArchSpec& arch,
                               const std::vector<uint64_t>& stored_bytes, const std::vector<int>& source,
                               const std::vector<bool>& passable);

}  // namespace cosim
