// Encodings shared by the PE-array RTL (docs/pe-array.md, docs/rtl.md).
package pe_pkg;

  // PE types (the OP parameter of pe_term, systolic_pe and pe_array): 0 mult, 1 shift, 2 adder.

  localparam logic [1:0] MODE_OS = 2'd0;
  localparam logic [1:0] MODE_WS = 2'd1;
  localparam logic [1:0] MODE_IS = 2'd2;

  localparam logic [1:0] PHASE_RUN = 2'd0;
  localparam logic [1:0] PHASE_PRELOAD = 2'd1;
  localparam logic [1:0] PHASE_DRAIN = 2'd2;

endpackage
