// One PE of the systolic array (docs/pe-array.md). Registers: the horizontal operand (passed right) with its
// valid and mark bits, the vertical operand (OS: weight passed down), the stationary operand (WS: weight, IS:
// activation), the accumulator/partial sum and its valid bit; for pipelined folds the shadow of the stationary
// operand (WS/IS) and the drain register with its valid bit (OS).
module systolic_pe #(
    parameter integer OP = 0,
    parameter integer ACT_W = 8,
    parameter integer WGT_W = 8,
    parameter integer ACC_W = 32,
    parameter integer FRAC = 0,
    parameter bit SATURATE = 1'b0,
    localparam integer DW = (ACT_W > WGT_W) ? ACT_W : WGT_W
) (
    input logic clk,
    input logic rst,
    input logic [1:0] mode,
    input logic [1:0] phase,
    input logic pipelined,    // folds overlap (docs/pe-array.md, "With pipelining"); phase is then unused
    input logic first_row,    // this PE is in row 0: its partial-sum input is zero
    input logic drain_shift,  // OS drain: take the accumulator from above
    input logic drain_clear,  // OS drain, row 0: clear
    input logic [DW-1:0] h_in,
    input logic h_in_valid,
    input logic [DW-1:0] v_in,
    input logic v_in_valid,
    input logic [ACC_W-1:0] sum_in,  // the PE above: its accumulator (OS drain) or partial sum (WS/IS)
    input logic h_in_mark,           // pipelined: WS/IS first element of a fold's stream, OS its last pair
    input logic col_shift,           // pipelined WS/IS: the column's shadows shift down
    input logic [DW-1:0] shadow_in,  // the shadow above (row 0: the column's top input)
    input logic [ACC_W-1:0] drain_in,  // pipelined OS: the drain register below (bottom row: 0)
    input logic drain_in_valid,
    output logic [DW-1:0] h_q,
    output logic h_valid_q,
    output logic h_mark_q,
    output logic [DW-1:0] shadow_q,
    output logic [ACC_W-1:0] drain_q,
    output logic drain_valid_q,
    output logic [DW-1:0] v_q,
    output logic v_valid_q,
    output logic [DW-1:0] stat_q,
    output logic [ACC_W-1:0] sum_q,
    output logic sum_valid_q
);
  logic signed [ACT_W-1:0] x;
  logic [WGT_W-1:0] w;
  logic signed [ACC_W-1:0] base, next;
  logic [DW-1:0] held;  // the stationary operand this edge computes with: the shadow on a fold's first element

  // Which operand is the activation and which the weight, by dataflow; what the term is added to.
  always_comb begin
    held = (pipelined && h_in_mark) ? shadow_q : stat_q;
    if (mode == pe_pkg::MODE_IS) begin
      x = held[ACT_W-1:0];
      w = h_in[WGT_W-1:0];
    end else begin
      x = h_in[ACT_W-1:0];
      w = (mode == pe_pkg::MODE_OS) ? v_in[WGT_W-1:0] : held[WGT_W-1:0];
    end
    if (mode == pe_pkg::MODE_OS) base = sum_q;
    else base = first_row ? '0 : sum_in;
  end

  pe_term #(
      .OP(OP),
      .ACT_W(ACT_W),
      .WGT_W(WGT_W),
      .ACC_W(ACC_W),
      .FRAC(FRAC),
      .SATURATE(SATURATE)
  ) u_term (
      .x(x),
      .w(w),
      .acc(base),
      .result(next)
  );

  always_ff @(posedge clk) begin
    if (rst) begin
      h_q <= '0;
      h_valid_q <= 1'b0;
      v_q <= '0;
      v_valid_q <= 1'b0;
      stat_q <= '0;
      sum_q <= '0;
      sum_valid_q <= 1'b0;
      h_mark_q <= 1'b0;
      shadow_q <= '0;
      drain_q <= '0;
      drain_valid_q <= 1'b0;
    end else if (pipelined && mode == pe_pkg::MODE_OS) begin
      // A pair marked last moves the finished sum into the drain register; otherwise the drain chain climbs.
      if (h_in_valid && v_in_valid && h_in_mark) begin
        drain_q <= next;
        drain_valid_q <= 1'b1;
        sum_q <= '0;
      end else begin
        if (h_in_valid && v_in_valid) sum_q <= next;
        drain_q <= drain_in;
        drain_valid_q <= drain_in_valid;
      end
      h_q <= h_in;
      h_valid_q <= h_in_valid;
      h_mark_q <= h_in_mark;
      v_q <= v_in;
      v_valid_q <= v_in_valid;
    end else if (pipelined) begin
      // WS/IS: a fold's first element takes the shadow into the stationary register as it computes with it.
      if (h_in_valid) begin
        sum_q <= next;
        if (h_in_mark) stat_q <= shadow_q;
      end
      sum_valid_q <= h_in_valid;
      h_q <= h_in;
      h_valid_q <= h_in_valid;
      h_mark_q <= h_in_mark;
      if (col_shift) shadow_q <= shadow_in;
    end else if (phase == pe_pkg::PHASE_PRELOAD) begin
      stat_q <= v_in;
    end else if (phase == pe_pkg::PHASE_DRAIN) begin
      if (drain_clear) sum_q <= '0;
      else if (drain_shift) sum_q <= sum_in;
    end else if (phase == pe_pkg::PHASE_RUN && mode == pe_pkg::MODE_OS) begin
      if (h_in_valid && v_in_valid) sum_q <= next;
      h_q <= h_in;
      h_valid_q <= h_in_valid;
      v_q <= v_in;
      v_valid_q <= v_in_valid;
    end else if (phase == pe_pkg::PHASE_RUN && (mode == pe_pkg::MODE_WS || mode == pe_pkg::MODE_IS)) begin
      if (h_in_valid) sum_q <= next;
      sum_valid_q <= h_in_valid;
      h_q <= h_in;
      h_valid_q <= h_in_valid;
    end
  end
endmodule
