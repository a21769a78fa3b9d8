// Arithmetic of one PE, from docs/pe-array.md ("Arithmetic of one PE"). Written from the spec, not from the
// SystemC model: the co-simulation compares the two.
package pe_pkg;

  localparam int OP_MULT = 0;
  localparam int OP_SHIFT = 1;
  localparam int OP_ADDER = 2;

  localparam logic [1:0] MODE_OS = 2'd0;
  localparam logic [1:0] MODE_WS = 2'd1;
  localparam logic [1:0] MODE_IS = 2'd2;

  localparam logic [1:0] PHASE_RUN = 2'd0;
  localparam logic [1:0] PHASE_PRELOAD = 2'd1;
  localparam logic [1:0] PHASE_DRAIN = 2'd2;

  // Sign-extends the low `bits` bits of `v`.
  function automatic logic signed [63:0] sext(input logic [63:0] v, input int bits);
    logic [63:0] m;
    m = 64'd1 << (bits - 1);
    return $signed(((v & ((m << 1) - 64'd1)) ^ m) - m);
  endfunction

  // What one PE adds to its accumulator. `x` is the activation, `w` the weight as raw bits.
  function automatic logic signed [63:0] term(input int op, input logic signed [63:0] x, input logic [63:0] w,
                                              input int wgt_w, input int frac);
    logic signed [63:0] ws, d, scaled;
    logic [63:0] s;
    logic neg;
    case (op)
      OP_MULT: begin
        ws = sext(w, wgt_w);
        return x * ws;
      end
      OP_SHIFT: begin
        // sign bit and exponent magnitude s: weight = +/- 2^-s; arithmetic shift after widening by frac bits
        neg = w[wgt_w-1];
        s = w & ((64'd1 << (wgt_w - 1)) - 64'd1);
        scaled = (x <<< frac) >>> s;
        return neg ? -scaled : scaled;
      end
      OP_ADDER: begin
        ws = sext(w, wgt_w);
        d = x - ws;
        return (d < 0) ? d : -d;
      end
      default: return 64'sd0;
    endcase
  endfunction

  // Brings a sum back into `bits` bits: keep the low bits (wrap) or clamp (saturate).
  function automatic logic signed [63:0] reduce(input logic signed [63:0] v, input int bits, input bit saturate);
    logic signed [63:0] hi, lo;
    hi = (64'sd1 <<< (bits - 1)) - 64'sd1;
    lo = -hi - 64'sd1;
    if (saturate) return (v > hi) ? hi : ((v < lo) ? lo : v);
    return sext(v, bits);
  endfunction

endpackage
