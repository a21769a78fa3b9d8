// One PE of the systolic array (docs/pe-array.md). Registers: the horizontal operand (passed right), the vertical
// operand (OS: weight passed down), the stationary operand (WS: weight, IS: activation), the accumulator/partial
// sum and its valid bit.
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
    input logic first_row,    // this PE is in row 0: its partial-sum input is zero
    input logic drain_shift,  // OS drain: take the accumulator from above
    input logic drain_clear,  // OS drain, row 0: clear
    input logic [DW-1:0] h_in,
    input logic h_in_valid,
    input logic [DW-1:0] v_in,
    input logic v_in_valid,
    input logic [ACC_W-1:0] sum_in,  // the PE above: its accumulator (OS drain) or partial sum (WS/IS)
    output logic [DW-1:0] h_q,
    output logic h_valid_q,
    output logic [DW-1:0] v_q,
    output logic v_valid_q,
    output logic [DW-1:0] stat_q,
    output logic [ACC_W-1:0] sum_q,
    output logic sum_valid_q
);
  logic signed [ACT_W-1:0] x;
  logic [WGT_W-1:0] w;
  logic signed [ACC_W-1:0] base, next;

  // Which operand is the activation and which the weight, by dataflow; what the term is added to.
  always_comb begin
    if (mode == pe_pkg::MODE_IS) begin
      x = stat_q[ACT_W-1:0];
      w = h_in[WGT_W-1:0];
    end else begin
      x = h_in[ACT_W-1:0];
      w = (mode == pe_pkg::MODE_OS) ? v_in[WGT_W-1:0] : stat_q[WGT_W-1:0];
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
