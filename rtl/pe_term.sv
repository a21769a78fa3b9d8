// The arithmetic of one PE at its exact widths (docs/pe-array.md, "Arithmetic of one PE"), written from the spec:
//   mult:  term = x * w
//   shift: w = {sign, s}; term = +/-((x * 2^FRAC) >>> s)
//   adder: term = -|x - w|
// and the accumulation acc' = reduce(acc + term): the low ACC_W bits (wrap) or a clamp (saturate).
// Sign extension is written out as replication (lint-clean in Verilator, understood by yosys).
module pe_term #(
    parameter integer OP = 0,  // 0 mult, 1 shift, 2 adder (pe_pkg::OP_*)
    parameter integer ACT_W = 8,
    parameter integer WGT_W = 8,
    parameter integer ACC_W = 32,
    parameter integer FRAC = 0,
    parameter bit SATURATE = 1'b0
) (
    input logic signed [ACT_W-1:0] x,
    input logic [WGT_W-1:0] w,
    input logic signed [ACC_W-1:0] acc,
    output logic signed [ACC_W-1:0] result
);
  localparam integer DW = (ACT_W > WGT_W) ? ACT_W : WGT_W;
  // Width of the term: a full product; a shifted activation plus its sign; a difference plus its negation.
  localparam integer TW = (OP == 0) ? ACT_W + WGT_W : (OP == 1) ? ACT_W + FRAC + 1 : DW + 2;
  localparam integer SW = ((TW > ACC_W) ? TW : ACC_W) + 1;

  logic signed [TW-1:0] t;

  if (OP == 0) begin : g_mult
    logic signed [TW-1:0] xe, we;
    always_comb begin
      xe = {{(TW - ACT_W) {x[ACT_W-1]}}, x};
      we = {{(TW - WGT_W) {w[WGT_W-1]}}, w};
      t = xe * we;  // the exact product fits TW bits
    end
  end else if (OP == 1) begin : g_shift
    logic signed [ACT_W+FRAC-1:0] widened, scaled;
    logic signed [TW-1:0] magnitude;
    always_comb begin
      widened = {x, {FRAC{1'b0}}};
      scaled = widened >>> w[WGT_W-2:0];
      magnitude = {scaled[ACT_W+FRAC-1], scaled};
      t = w[WGT_W-1] ? -magnitude : magnitude;
    end
  end else begin : g_adder
    logic signed [DW:0] xe, we, d;
    logic signed [TW-1:0] de;
    always_comb begin
      xe = {{(DW + 1 - ACT_W) {x[ACT_W-1]}}, x};
      we = {{(DW + 1 - WGT_W) {w[WGT_W-1]}}, w};
      d = xe - we;
      de = {d[DW], d};
      t = d[DW] ? de : -de;  // -|x - w|
    end
  end

  logic signed [SW-1:0] sum, hi, lo;
  always_comb begin
    sum = {{(SW - ACC_W) {acc[ACC_W-1]}}, acc} + {{(SW - TW) {t[TW-1]}}, t};
    hi = {{(SW - ACC_W + 1) {1'b0}}, {(ACC_W - 1) {1'b1}}};
    lo = {{(SW - ACC_W + 1) {1'b1}}, {(ACC_W - 1) {1'b0}}};
    if (SATURATE && sum > hi) result = hi[ACC_W-1:0];
    else if (SATURATE && sum < lo) result = lo[ACC_W-1:0];
    else result = sum[ACC_W-1:0];
  end
endmodule
