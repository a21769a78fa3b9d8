#include "sim/accel/accelerator.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <stdexcept>

#include "model/buffering.hpp"

namespace cosim {

namespace {

// The run-time state of one LayerPlan.
struct Job {
  const LayerPlan* plan = nullptr;
  std::vector<Job*> deps;
  Job* prefetch_after = nullptr;  // its weight prefetch waits for this one's end
  bool done = false;
  sc_core::sc_event done_event;
  PlanTiming timing;
};

}  // namespace

uint64_t Accelerator::now_cycles() {
  return uint64_t(std::llround(sc_core::sc_time_stamp() / cycle()));
}

// One unit: load, compute and store threads around two input and two output buffer slots. The load thread
// fetches a tile's global-buffer data from DRAM before loading it; the store thread writes a finished
// global-buffer tile back to DRAM after storing.
class PipelineUnit : public sc_core::sc_module {
 public:
  PipelineUnit(sc_core::sc_module_name name, int index, ArbitratedChannel& dram, ArbitratedChannel& glb)
      : sc_core::sc_module(name),
        index_(index),
        dram_(dram),
        glb_(glb),
        in_slots_(kBufferSlots),
        out_slots_(kBufferSlots),
        to_compute_(4),
        to_store_(4) {
    SC_HAS_PROCESS(PipelineUnit);
    SC_THREAD(load_thread);
    SC_THREAD(compute_thread);
    SC_THREAD(store_thread);
  }

  void enqueue(Job* j) {
    queue_.push_back(j);
    work_.notify(sc_core::SC_ZERO_TIME);
  }
  // Forgets the jobs of a finished run (their tiles are no longer in flight).
  void clear_finished() { jobs_.clear(); }
  uint64_t compute_cycles = 0;

 private:
  // The transfers one thread issued in one cycle; wakes the thread when the last has arrived. Its arrival
  // can move later while the cycle lasts (a request that goes first arrives from another thread).
  struct Batch : ArbitratedChannel::Owner {
    std::vector<uint64_t> done;
    uint64_t issued = 0;
    sc_core::sc_event arrived;
    void completion_changed(int slot, uint64_t cycle) override {
      done[size_t(slot)] = cycle;
      arrived.cancel();
      arrived.notify(double(last() - issued) * Accelerator::cycle());
    }
    uint64_t last() const { return *std::max_element(done.begin(), done.end()); }
  };

  // Requests transfers [from, to) of `ts` now (kind 0: loads, 1: stores), each in its place in the list's
  // order; `b` learns when they arrive.
  void issue(const std::vector<Transfer>& ts, size_t from, size_t to, int kind, Batch& b) {
    const uint64_t now = Accelerator::now_cycles();
    b.issued = now;
    b.done.assign(ts.size() + 1, now);
    for (size_t i = from; i < to; ++i) {
      if (ts[i].bytes == 0) continue;
      (ts[i].dram ? dram_ : glb_).request(now, ts[i].bytes, {index_, kind, int(i)}, &b, int(i));
    }
  }
  void await(Batch& b) {
    while (Accelerator::now_cycles() < b.last()) wait(b.arrived);
  }
  // Issues transfers now; waits until the last has arrived.
  void transfer(const std::vector<Transfer>& ts, int kind, Batch& b) {
    issue(ts, 0, ts.size(), kind, b);
    await(b);
  }

  static int64_t ref(size_t job, size_t tile) { return int64_t(job) << 32 | int64_t(tile); }

  void load_thread() {
    for (;;) {
      while (queue_.empty()) wait(work_);
      Job* j = queue_.front();
      queue_.pop_front();
      // Prefetched weights are requested before the wait for the plans this one depends on.
      const std::vector<Transfer>& first = j->plan->tiles[0].fetches;
      const size_t early = std::min(first.size(), size_t(std::max(j->plan->prefetch_fetches, 0)));
      if (early > 0 && j->prefetch_after) {
        while (!j->prefetch_after->done) wait(j->prefetch_after->done_event);
      }
      issue(first, first.size() - early, first.size(), 0, prefetch_batch_);
      for (Job* d : j->deps) {
        while (!d->done) wait(d->done_event);
      }
      const size_t slot = jobs_.size();
      jobs_.push_back(j);
      j->timing.start = Accelerator::now_cycles();
      for (size_t t = 0; t < j->plan->tiles.size(); ++t) {
        in_slots_.wait();
        const TileStep& tile = j->plan->tiles[t];
        if (t == 0) {
          issue(first, 0, first.size() - early, 0, load_batch_);
          await(prefetch_batch_);
          await(load_batch_);
        } else if (!tile.fetches.empty()) {
          transfer(tile.fetches, 0, load_batch_);
        }
        transfer(tile.loads, 0, load_batch_);
        to_compute_.write(ref(slot, t));
      }
    }
  }

  void compute_thread() {
    for (;;) {
      int64_t r = 0;
      to_compute_.read(r);
      Job* j = jobs_[size_t(r >> 32)];
      const TileStep& t = j->plan->tiles[size_t(r & 0xffffffff)];
      out_slots_.wait();
      // Pipelined folds: the unit takes the next tile of the layer after the busy cycles; the results are
      // complete at the end of the overlap that follows (the store waits for them). Another layer's tile
      // waits for them: its folds' shapes were not allowed for.
      if (j != last_job_ && last_ready_ > Accelerator::now_cycles())
        wait(double(last_ready_ - Accelerator::now_cycles()) * Accelerator::cycle());
      const uint64_t busy = t.compute_cycles - std::min(t.compute_cycles, t.compute_overlap);
      wait(double(busy) * Accelerator::cycle());
      last_job_ = j;
      last_ready_ = Accelerator::now_cycles() + (t.compute_cycles - busy);
      ready_at_.push_back(last_ready_);
      j->timing.compute_cycles += busy;
      compute_cycles += busy;
      in_slots_.post();
      to_store_.write(r);
    }
  }

  void store_thread() {
    for (;;) {
      int64_t r = 0;
      to_store_.read(r);
      Job* j = jobs_[size_t(r >> 32)];
      const size_t tile = size_t(r & 0xffffffff);
      const TileStep& step = j->plan->tiles[tile];
      const uint64_t ready = ready_at_.front();
      ready_at_.pop_front();
      if (ready > Accelerator::now_cycles())
        wait(double(ready - Accelerator::now_cycles()) * Accelerator::cycle());
      transfer(step.stores, 1, store_batch_);
      out_slots_.post();  // the output slot is free once stored; the writeback reads the global buffer
      if (!step.writebacks.empty()) transfer(step.writebacks, 1, store_batch_);
      if (tile + 1 == j->plan->tiles.size()) {
        j->timing.end = Accelerator::now_cycles();
        j->done = true;
        j->done_event.notify(sc_core::SC_ZERO_TIME);
      }
    }
  }

  int index_;
  ArbitratedChannel& dram_;
  ArbitratedChannel& glb_;
  Batch load_batch_, prefetch_batch_, store_batch_;
  sc_core::sc_semaphore in_slots_, out_slots_;
  sc_core::sc_fifo<int64_t> to_compute_, to_store_;
  std::deque<Job*> queue_;
  std::deque<uint64_t> ready_at_;  // cycle each computed tile's results are complete, in compute order
  const Job* last_job_ = nullptr;  // the job of the last tile computed, and when its results are complete
  uint64_t last_ready_ = 0;
  std::vector<Job*> jobs_;
  sc_core::sc_event work_;
};

Accelerator::Accelerator(sc_core::sc_module_name name, const ArchSpec& arch)
    : sc_core::sc_module(name),
      dram_(arch.dram.rate, arch.dram.latency_cycles),
      glb_(arch.global_buffer.rate, 0) {
  for (const ChunkSpec& c : arch.chunks) {
    units_.push_back(
        std::make_unique<PipelineUnit>(("chunk_" + c.name).c_str(), int(units_.size()), dram_, glb_));
  }
  units_.push_back(std::make_unique<PipelineUnit>("vector_unit", int(units_.size()), dram_, glb_));
  if (arch.sparse_attention)
    units_.push_back(std::make_unique<PipelineUnit>("sparse_attention", int(units_.size()), dram_, glb_));
}

Accelerator::~Accelerator() = default;

SimResult Accelerator::run(const std::vector<LayerPlan>& plans) {
  const uint64_t base = now_cycles();
  dram_.reset_counters();
  glb_.reset_counters();
  std::vector<uint64_t> compute_before;
  for (auto& u : units_) {
    u->clear_finished();
    compute_before.push_back(u->compute_cycles);
  }

  std::vector<std::unique_ptr<Job>> jobs;
  for (const LayerPlan& p : plans) {
    auto j = std::make_unique<Job>();
    j->plan = &p;
    for (int d : p.deps) j->deps.push_back(jobs.at(size_t(d)).get());
    if (p.prefetch_after >= 0) j->prefetch_after = jobs.at(size_t(p.prefetch_after)).get();
    if (p.tiles.empty()) throw std::logic_error("a layer plan without tiles");
    jobs.push_back(std::move(j));
  }
  for (auto& j : jobs) units_.at(size_t(j->plan->unit))->enqueue(j.get());
  sc_core::sc_start();

  SimResult r;
  for (auto& j : jobs) {
    if (!j->done)
      throw std::logic_error("accelerator model stopped with unfinished layers (dependency cycle?)");
    PlanTiming t = j->timing;
    t.start -= base;
    t.end -= base;
    r.total_cycles = std::max(r.total_cycles, t.end);
    r.plans.push_back(t);
  }
  for (size_t u = 0; u < units_.size(); ++u)
    r.unit_compute.push_back(units_[u]->compute_cycles - compute_before[u]);
  r.dram_busy_cycles = dram_.busy_cycles();
  r.glb_busy_cycles = glb_.busy_cycles();
  return r;
}

}  // namespace cosim
