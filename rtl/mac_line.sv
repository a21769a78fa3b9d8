// One MAC line of the sparse-attention engine (docs/sparse-attention.md, "Level 1"), written from the spec:
// MACS multipliers, two pipeline stages.
//   Stage 1 registers one beat: dot mode (SDDMM) the sum of the MACS products (adder tree); axpy mode (SpMM) the
//   MACS products themselves, with the beat's feature offset.
//   Stage 2, one edge later: dot mode accumulates the sum (restarting at an entry's first beat) and presents the
//   score after its last beat; axpy mode adds the products into the row accumulators and, after the last beat of
//   a row's last entry, presents the row (`flush`) and clears it.
// Accumulation wraps or saturates at ACC_W after every beat.
module mac_line #(
    parameter integer MACS = 8,
    parameter integer ACT_W = 8,
    parameter integer ACC_W = 32,
    parameter integer HEAD_DIM = 64,
    parameter bit SATURATE = 1'b0
) (
    input logic clk,
    input logic rst,
    input logic axpy,          // 0: dot (SDDMM), 1: axpy (SpMM)
    input logic in_valid,
    input logic in_first,      // first beat of an entry
    input logic in_last,       // last beat of an entry
    input logic in_row_last,   // axpy: last beat of the last entry of a row on this line
    input logic [7:0] in_beat,  // beat index within the entry (feature offset = beat * MACS)
    input logic [MACS*ACT_W-1:0] in_a,  // dot: query slice; axpy: the probability in every lane
    input logic [MACS*ACT_W-1:0] in_b,  // dot: key slice; axpy: value slice (unused lanes zero)
    output logic s1_valid_q,
    output logic [63:0] s1_sum_q,              // stage-1 sum, sign-extended
    output logic [ACC_W-1:0] acc_q,
    output logic score_valid_q,
    output logic [HEAD_DIM*ACC_W-1:0] row_q,    // axpy row accumulators
    output logic flush_valid_q,
    output logic [HEAD_DIM*ACC_W-1:0] flush_q  // the row presented at a flush
);
  localparam integer PW = 2 * ACT_W;                // one product
  localparam integer TW = PW + $clog2(MACS) + 1;    // a beat's sum
  localparam integer SW = ((TW > ACC_W) ? TW : ACC_W) + 1;

  logic s1_first_q, s1_last_q, s1_row_last_q;
  logic [7:0] s1_beat_q;
  logic signed [PW-1:0] s1_prod_q[MACS];
  logic signed [TW-1:0] s1_sum_full_q;
  logic signed [ACC_W-1:0] row_r[HEAD_DIM];

  // Products and their sum for the incoming beat.
  logic signed [PW-1:0] prod[MACS];
  logic signed [TW-1:0] beat_sum;
  always_comb begin
    beat_sum = '0;
    for (int i = 0; i < MACS; i++) begin
      prod[i] = {{ACT_W{in_a[i*ACT_W+ACT_W-1]}}, in_a[i*ACT_W+:ACT_W]} *
                {{ACT_W{in_b[i*ACT_W+ACT_W-1]}}, in_b[i*ACT_W+:ACT_W]};
      beat_sum = beat_sum + {{(TW - PW) {prod[i][PW-1]}}, prod[i]};
    end
  end

  // reduce(a + b) at ACC_W.
  function automatic logic signed [ACC_W-1:0] add_reduce(input logic signed [ACC_W-1:0] a,
                                                          input logic signed [SW-1:0] b);
    logic signed [SW-1:0] s, hi, lo;
    s = {{(SW - ACC_W) {a[ACC_W-1]}}, a} + b;
    hi = {{(SW - ACC_W + 1) {1'b0}}, {(ACC_W - 1) {1'b1}}};
    lo = {{(SW - ACC_W + 1) {1'b1}}, {(ACC_W - 1) {1'b0}}};
    if (SATURATE && s > hi) add_reduce = hi[ACC_W-1:0];
    else if (SATURATE && s < lo) add_reduce = lo[ACC_W-1:0];
    else add_reduce = s[ACC_W-1:0];
  endfunction

  always_ff @(posedge clk) begin
    if (rst) begin
      s1_valid_q <= 1'b0;
      s1_first_q <= 1'b0;
      s1_last_q <= 1'b0;
      s1_row_last_q <= 1'b0;
      s1_beat_q <= '0;
      s1_sum_full_q <= '0;
      acc_q <= '0;
      score_valid_q <= 1'b0;
      flush_valid_q <= 1'b0;
      for (int i = 0; i < MACS; i++) s1_prod_q[i] <= '0;
    end else begin
      // Stage 2.
      score_valid_q <= 1'b0;
      flush_valid_q <= 1'b0;
      if (s1_valid_q && !axpy) begin
        acc_q <= add_reduce(s1_first_q ? '0 : acc_q, {{(SW - TW) {s1_sum_full_q[TW-1]}}, s1_sum_full_q});
        score_valid_q <= s1_last_q;
      end
      if (s1_valid_q && axpy) flush_valid_q <= s1_row_last_q;
      // Stage 1.
      s1_valid_q <= in_valid;
      s1_first_q <= in_first;
      s1_last_q <= in_last;
      s1_row_last_q <= in_row_last;
      s1_beat_q <= in_beat;
      s1_sum_full_q <= beat_sum;
      for (int i = 0; i < MACS; i++) s1_prod_q[i] <= prod[i];
    end
  end

  assign s1_sum_q = {{(64 - TW) {s1_sum_full_q[TW-1]}}, s1_sum_full_q};

  // Stage 2 of axpy mode, one row accumulator per feature: the lane holding feature f in this beat adds to it.
  for (genvar f = 0; f < HEAD_DIM; f++) begin : g_row
    logic signed [ACC_W-1:0] updated;
    always_comb begin
      updated = row_r[f];
      for (int i = 0; i < MACS; i++) begin
        if (int'(s1_beat_q) * MACS + i == f) begin
          updated = add_reduce(row_r[f], {{(SW - PW) {s1_prod_q[i][PW-1]}}, s1_prod_q[i]});
        end
      end
    end
    always_ff @(posedge clk) begin
      if (rst) begin
        row_r[f] <= '0;
        flush_q[f*ACC_W+:ACC_W] <= '0;
      end else if (s1_valid_q && axpy) begin
        if (s1_row_last_q) begin
          flush_q[f*ACC_W+:ACC_W] <= updated;
          row_r[f] <= '0;
        end else begin
          row_r[f] <= updated;
        end
      end
    end
    assign row_q[f*ACC_W+:ACC_W] = row_r[f];
  end
endmodule
