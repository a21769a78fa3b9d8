// One PE of the systolic array (docs/pe-array.md). Registers: the horizontal operand (passed right), the vertical
// operand (OS: weight passed down), the stationary operand (WS: weight, IS: activation), the accumulator/partial
// sum and its valid bit.
module systolic_pe #(
    parameter int OP = pe_pkg::OP_MULT,
    parameter int ACT_W = 8,
    parameter int WGT_W = 8,
    parameter int ACC_W = 32,
    parameter int FRAC = 0,
    parameter bit SATURATE = 1'b0,
    localparam int DW = (ACT_W > WGT_W) ? ACT_W : WGT_W
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
  import pe_pkg::*;

  logic signed [63:0] x;
  logic [63:0] w;
  logic [ACC_W-1:0] acc_next, psum_next;

  always_comb begin
    // Which operand is the activation and which the weight, by dataflow.
    if (mode == MODE_IS) begin
      x = sext(64'(stat_q), ACT_W);
      w = 64'(h_in);
    end else begin
      x = sext(64'(h_in), ACT_W);
      w = (mode == MODE_OS) ? 64'(v_in) : 64'(stat_q);
    end
    acc_next = ACC_W'(reduce(sext(64'(sum_q), ACC_W) + term(OP, x, w, WGT_W, FRAC), ACC_W, SATURATE));
    psum_next = ACC_W'(reduce((first_row ? 64'sd0 : sext(64'(sum_in), ACC_W)) + term(OP, x, w, WGT_W, FRAC), ACC_W,
                              SATURATE));
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      h_q <= '0;
      h_valid_q <= 1'b0;
      v_q <= '0;
      v_valid_q <= 1'b0;
      stat_q <= '0;
      sum_q <= '0;
      sum_valid_q <= 1'b0;
    end else if (phase == PHASE_PRELOAD) begin
      stat_q <= v_in;
    end else if (phase == PHASE_DRAIN) begin
      if (drain_clear) sum_q <= '0;
      else if (drain_shift) sum_q <= sum_in;
    end else if (phase == PHASE_RUN && mode == MODE_OS) begin
      if (h_in_valid && v_in_valid) sum_q <= acc_next;
      h_q <= h_in;
      h_valid_q <= h_in_valid;
      v_q <= v_in;
      v_valid_q <= v_in_valid;
    end else if (phase == PHASE_RUN && (mode == MODE_WS || mode == MODE_IS)) begin
      if (h_in_valid) sum_q <= psum_next;
      sum_valid_q <= h_in_valid;
      h_q <= h_in;
      h_valid_q <= h_in_valid;
    end
  end
endmodule
