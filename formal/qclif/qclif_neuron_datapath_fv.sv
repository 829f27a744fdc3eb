// Proof of rtl/qclif/qclif_neuron_datapath.v (one neuron step, docs/qclif.md "Neuron"),
// all inputs: the formulas chained,
//   Is = sat_8((sum_i x[i] Win[i]) >>> si)      Ia = sat_8((sum_j s[j] Wctx[j]) >>> sa)
//   Va' = clamp_u8(Va - la + Ia)   g = g0 + Va'   D = (Is g) >>> sd
//   V' = clamp_u8(V - ls + D)      s = V' >= theta, then V' - theta
// At N_IN = N_CTX = 200 the carry-save trees are replaced by formal/qclif/csa_tree_sum.v
// (proven equal to them by qclif_csa_tree.sum); at small sizes the RTL trees are kept.
module qclif_neuron_datapath_fv #(
    parameter integer N_IN  = 200,
    parameter integer N_CTX = 200
) (
    input wire [N_IN-1:0]    in_bits,
    input wire [8*N_IN-1:0]  in_weights,
    input wire [N_CTX-1:0]   ctx_bits,
    input wire [8*N_CTX-1:0] ctx_weights,
    input wire [7:0]         va,
    input wire [7:0]         v,
    input wire [7:0]         la,
    input wire [7:0]         ls,
    input wire [7:0]         g0,
    input wire [7:0]         theta,
    input wire [3:0]         si,
    input wire [3:0]         sa,
    input wire [3:0]         sd
);
    wire [7:0] va_next, v_next;
    wire       spike;
    qclif_neuron_datapath #(.N_IN(N_IN), .N_CTX(N_CTX)) dut (
        .in_bits(in_bits), .in_weights(in_weights), .ctx_bits(ctx_bits),
        .ctx_weights(ctx_weights), .va(va), .v(v), .la(la), .ls(ls), .g0(g0),
        .theta(theta), .si(si), .sa(sa), .sd(sd), .va_next(va_next), .v_next(v_next),
        .spike(spike));

    // Widths as docs/qclif.md gives them: Is, Ia 8-bit signed, Va' 8-bit, g 9-bit,
    // D 18-bit signed; the sums exact, the compartment sums in 32-bit integers.
    localparam integer RW_IN  = $clog2(N_IN * 128) + 2;
    localparam integer RW_CTX = $clog2(N_CTX * 128) + 2;
    reg signed [RW_IN-1:0]  s_in, sh_in;
    reg signed [RW_CTX-1:0] s_ctx, sh_ctx;
    reg signed [7:0]        term, i_s, i_a;
    reg        [7:0]        va1, v1, vn;
    reg        [8:0]        g;
    reg signed [17:0]       d;
    integer i, raw_a, raw_v;
    reg fire;
    always @* begin
        s_in = {RW_IN{1'b0}};
        for (i = 0; i < N_IN; i = i + 1) begin
            term = in_bits[i] ? in_weights[8 * i +: 8] : 8'sd0;
            s_in = s_in + term;
        end
        s_ctx = {RW_CTX{1'b0}};
        for (i = 0; i < N_CTX; i = i + 1) begin
            term  = ctx_bits[i] ? ctx_weights[8 * i +: 8] : 8'sd0;
            s_ctx = s_ctx + term;
        end
        sh_in  = s_in >>> si;
        sh_ctx = s_ctx >>> sa;
        i_s   = sh_in > 127 ? 8'sd127 : (sh_in < -128 ? -8'sd128 : sh_in[7:0]);
        i_a   = sh_ctx > 127 ? 8'sd127 : (sh_ctx < -128 ? -8'sd128 : sh_ctx[7:0]);
        raw_a = $signed({1'b0, va}) - $signed({1'b0, la}) + i_a;
        va1   = raw_a < 0 ? 8'd0 : (raw_a > 255 ? 8'd255 : raw_a[7:0]);
        g     = {1'b0, g0} + {1'b0, va1};
        // Is * g fits 18 bits (|Is| <= 128, g <= 510): the product at 18 bits is exact.
        d     = ($signed(i_s) * $signed({1'b0, g})) >>> sd;
        raw_v = $signed({1'b0, v}) - $signed({1'b0, ls}) + d;
        v1    = raw_v < 0 ? 8'd0 : (raw_v > 255 ? 8'd255 : raw_v[7:0]);
        fire  = v1 >= theta;
        vn    = fire ? v1 - theta : v1;
        FV_VA: assert (va_next == va1);
        FV_SPIKE: assert (spike == fire);
        FV_V: assert (v_next == vn);
    end
endmodule
