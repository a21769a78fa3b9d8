// A ROWS x COLS systolic array of one PE type, all three dataflows selected at run time (docs/pe-array.md).
// Edge inputs: row i's left operand (h_in) and column j's top operand (v_in: OS weights, WS/IS preload values).
// Every PE register is visible on the outputs, flattened row-major, for cycle-by-cycle comparison. Each column
// has an output port: WS/IS the partial sum of row tap[j] (the bottom row of the fold), OS without pipelining
// the accumulator of row tap[j] during the drain, OS with pipelining the drain register of row 0.
module pe_array #(
    parameter integer OP = 0,
    parameter integer ROWS = 4,
    parameter integer COLS = 4,
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
    input logic pipelined,
    input logic [7:0] active_rows,  // OS drain: the accumulators of rows 0 .. active_rows-1 shift down
    input logic [ROWS*DW-1:0] h_in,
    input logic [ROWS-1:0] h_in_valid,
    input logic [ROWS-1:0] h_in_mark,
    input logic [COLS*DW-1:0] v_in,
    input logic [COLS-1:0] v_in_valid,
    input logic [COLS*8-1:0] tap,
    output logic [COLS*ACC_W-1:0] out,
    output logic [COLS-1:0] out_valid,
    output logic [ROWS*COLS*DW-1:0] h_q,
    output logic [ROWS*COLS-1:0] h_valid_q,
    output logic [ROWS*COLS-1:0] h_mark_q,
    output logic [ROWS*COLS*DW-1:0] shadow_q,
    output logic [ROWS*COLS*ACC_W-1:0] drain_q,
    output logic [ROWS*COLS-1:0] drain_valid_q,
    output logic [ROWS*COLS*DW-1:0] v_q,
    output logic [ROWS*COLS-1:0] v_valid_q,
    output logic [ROWS*COLS*DW-1:0] stat_q,
    output logic [ROWS*COLS*ACC_W-1:0] sum_q,
    output logic [ROWS*COLS-1:0] sum_valid_q
);
  // PE registers as unpacked arrays (neighbours read narrow signals); the flattened outputs only mirror them.
  logic [DW-1:0] h_r[ROWS][COLS], v_r[ROWS][COLS], stat_r[ROWS][COLS], shadow_r[ROWS][COLS];
  logic h_valid_r[ROWS][COLS], v_valid_r[ROWS][COLS], sum_valid_r[ROWS][COLS], h_mark_r[ROWS][COLS];
  logic drain_valid_r[ROWS][COLS];
  logic [ACC_W-1:0] sum_r[ROWS][COLS], drain_r[ROWS][COLS];

  for (genvar i = 0; i < ROWS; i++) begin : g_row
    for (genvar j = 0; j < COLS; j++) begin : g_col
      localparam integer P = i * COLS + j;
      logic [DW-1:0] h_src, v_src, shadow_src;
      logic h_src_valid, v_src_valid, h_src_mark, drain_src_valid;
      logic [ACC_W-1:0] sum_src, drain_src;
      if (j == 0) begin : g_left_edge
        assign h_src = h_in[i*DW+:DW];
        assign h_src_valid = h_in_valid[i];
        assign h_src_mark = h_in_mark[i];
      end else begin : g_left_pe
        assign h_src = h_r[i][j-1];
        assign h_src_valid = h_valid_r[i][j-1];
        assign h_src_mark = h_mark_r[i][j-1];
      end
      if (i == ROWS - 1) begin : g_bottom_edge
        assign drain_src = '0;
        assign drain_src_valid = 1'b0;
      end else begin : g_bottom_pe
        assign drain_src = drain_r[i+1][j];
        assign drain_src_valid = drain_valid_r[i+1][j];
      end
      if (i == 0) begin : g_top_edge
        assign v_src = v_in[j*DW+:DW];
        assign v_src_valid = v_in_valid[j];
        assign sum_src = '0;
        assign shadow_src = v_in[j*DW+:DW];
      end else begin : g_top_pe
        // OS takes the weight from above; a preload takes the stationary value from above.
        assign v_src = (phase == pe_pkg::PHASE_PRELOAD) ? stat_r[i-1][j] : v_r[i-1][j];
        assign v_src_valid = v_valid_r[i-1][j];
        assign sum_src = sum_r[i-1][j];
        assign shadow_src = shadow_r[i-1][j];
      end
      systolic_pe #(
          .OP(OP),
          .ACT_W(ACT_W),
          .WGT_W(WGT_W),
          .ACC_W(ACC_W),
          .FRAC(FRAC),
          .SATURATE(SATURATE)
      ) u_pe (
          .clk(clk),
          .rst(rst),
          .mode(mode),
          .phase(phase),
          .pipelined(pipelined),
          .first_row(i == 0),
          .drain_shift(i < int'(active_rows)),
          .drain_clear(i == 0),
          .h_in(h_src),
          .h_in_valid(h_src_valid),
          .v_in(v_src),
          .v_in_valid(v_src_valid),
          .sum_in(sum_src),
          .h_in_mark(h_src_mark),
          .col_shift(v_in_valid[j]),
          .shadow_in(shadow_src),
          .drain_in(drain_src),
          .drain_in_valid(drain_src_valid),
          .h_q(h_r[i][j]),
          .h_valid_q(h_valid_r[i][j]),
          .h_mark_q(h_mark_r[i][j]),
          .shadow_q(shadow_r[i][j]),
          .drain_q(drain_r[i][j]),
          .drain_valid_q(drain_valid_r[i][j]),
          .v_q(v_r[i][j]),
          .v_valid_q(v_valid_r[i][j]),
          .stat_q(stat_r[i][j]),
          .sum_q(sum_r[i][j]),
          .sum_valid_q(sum_valid_r[i][j])
      );
      assign h_q[P*DW+:DW] = h_r[i][j];
      assign h_valid_q[P] = h_valid_r[i][j];
      assign v_q[P*DW+:DW] = v_r[i][j];
      assign v_valid_q[P] = v_valid_r[i][j];
      assign stat_q[P*DW+:DW] = stat_r[i][j];
      assign sum_q[P*ACC_W+:ACC_W] = sum_r[i][j];
      assign sum_valid_q[P] = sum_valid_r[i][j];
      assign h_mark_q[P] = h_mark_r[i][j];
      assign shadow_q[P*DW+:DW] = shadow_r[i][j];
      assign drain_q[P*ACC_W+:ACC_W] = drain_r[i][j];
      assign drain_valid_q[P] = drain_valid_r[i][j];
    end
  end

  // The output ports: a row multiplexer per column (the tap), or the top drain register.
  for (genvar j = 0; j < COLS; j++) begin : g_port
    logic [ACC_W-1:0] tapped;
    logic tapped_valid;
    always_comb begin
      tapped = '0;
      tapped_valid = 1'b0;
      for (int r = 0; r < ROWS; r++) begin
        if (tap[j*8+:8] == 8'(r)) begin
          tapped = sum_r[r][j];
          tapped_valid = sum_valid_r[r][j];
        end
      end
      if (pipelined && mode == pe_pkg::MODE_OS) begin
        out[j*ACC_W+:ACC_W] = drain_r[0][j];
        out_valid[j] = drain_valid_r[0][j];
      end else begin
        out[j*ACC_W+:ACC_W] = tapped;
        out_valid[j] = (mode == pe_pkg::MODE_OS) ? phase == pe_pkg::PHASE_DRAIN : tapped_valid;
      end
    end
  end
endmodule
