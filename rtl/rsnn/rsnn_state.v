// Lane datapath of the rsnn core (N_NEURONS = 128 lanes, lane n = neuron n / PE n),
// built from the datapath blocks of docs/rsnn_blocks.md: PE sets 0 and 1 (18-bit: both
// accumulate parts of the L0 input term in the union schedule), rsnn_input_scale of
// their sum (A = acc0 + acc1) into the Iin register, rsnn_current and rsnn_lif into the
// membranes U0/U1 and the spike registers S0/S1 of both steps. Spikes are updated in
// place: a layer's LIF cycles come after every read of its previous-frame spikes, so one
// register per (layer, step) holds S[t-1] until the layer's LIF and S[t] after it.
// `current` doubles as the FC group partial z = acc0 + acc1 (in 12 bits).
module rsnn_state (
    clk, rst_n, clear_state, acc_clear, pe0_en, pe0_shift, pe0_row, pe1_en, pe1_shift,
    pe1_row, iin_write, s_in, cur_use_iin, cur_use_acc0, cur_use_acc1, lif_en, lif_layer,
    lif_step, lif_b, lif_theta, lif_spikes, s0_k0, s0_k1, s1_k0, s1_k1, current
);
    `include "rsnn_dims.vh"   // dimensions, generated from model/rsnn.py

    input  wire                          clk;
    input  wire                          rst_n;
    input  wire                          clear_state;   // utterance start: U = 0, S = 0
    // PE sets (rsnn_pe_set): acc_k += sext(w) << shift_k where en_k
    input  wire                          acc_clear;
    input  wire                          pe0_en;
    input  wire [BIT_IDX_W-1:0]          pe0_shift;
    input  wire [ROW_BITS-1:0]           pe0_row;
    input  wire                          pe1_en;
    input  wire [BIT_IDX_W-1:0]          pe1_shift;
    input  wire [ROW_BITS-1:0]           pe1_row;
    // Iin = sat_12((acc0 + acc1) >>> s_in)
    input  wire                          iin_write;
    input  wire [2:0]                    s_in;
    // current = sat_12(Iin? + acc0? + acc1?): each term selected by the controller
    // (only in LIF and FC close cycles; 0 otherwise)
    input  wire                          cur_use_iin;
    input  wire                          cur_use_acc0;
    input  wire                          cur_use_acc1;
    // one LIF step of one layer
    input  wire                          lif_en;
    input  wire                          lif_layer;
    input  wire                          lif_step;
    input  wire [2:0]                    lif_b;
    input  wire [10:0]                   lif_theta;
    output wire [N_NEURONS-1:0]          lif_spikes;    // spikes computed in this LIF cycle
    output wire [N_NEURONS-1:0]          s0_k0;
    output wire [N_NEURONS-1:0]          s0_k1;
    output wire [N_NEURONS-1:0]          s1_k0;
    output wire [N_NEURONS-1:0]          s1_k1;
    output wire [N_NEURONS*ACC_BITS-1:0] current;

    localparam integer ACC0_W = 18;   // IN: |A| <= 81600
    localparam integer ACC1_W = 18;   // IN (union): set 1's share of A; L0/L1/FC fit 12

    wire [N_NEURONS*ACC0_W-1:0]   acc0;
    wire [N_NEURONS*ACC1_W-1:0]   acc1;
    // Lane buses built from 128 per-lane drivers are passed on through always @* copies
    // (plain wires in hardware): an event-driven simulator then hands the consumers one
    // update per cycle instead of one per lane, each re-evaluating all 128 lanes.
    reg  [N_NEURONS*ACC0_W-1:0]   acc0_v;
    reg  [N_NEURONS*ACC1_W-1:0]   acc1_v;
    reg  [N_NEURONS*ACC_BITS-1:0] current_v;
    always @* acc0_v = acc0;
    always @* acc1_v = acc1;
    always @* current_v = current;

    rsnn_pe_set #(.LANES(N_NEURONS), .ACC_W(ACC0_W)) u_set0 (
        .clk(clk), .rst_n(rst_n), .clear(acc_clear), .en(pe0_en), .shift(pe0_shift),
        .row(pe0_row), .acc(acc0)
    );
    rsnn_pe_set #(.LANES(N_NEURONS), .ACC_W(ACC1_W)) u_set1 (
        .clk(clk), .rst_n(rst_n), .clear(acc_clear), .en(pe1_en), .shift(pe1_shift),
        .row(pe1_row), .acc(acc1)
    );

    // The input term A = acc0 + acc1 per lane (acc1 = 0 in the paper schedule, where
    // set 1 does no IN work). A fits 18 bits (|A| <= 81600), so the 18-bit sum of the
    // two partials (both sets are 18 bits wide) wraps to the exact value. Operand
    // isolation: formed only in the Iin write cycle, 0 otherwise.
    reg [N_NEURONS*ACC0_W-1:0] a_sum;
    integer n;
    always @* begin
        for (n = 0; n < N_NEURONS; n = n + 1)
            a_sum[ACC0_W * n +: ACC0_W] = iin_write ? acc0_v[ACC0_W * n +: ACC0_W]
                                                      + acc1_v[ACC1_W * n +: ACC1_W]
                                                    : {ACC0_W{1'b0}};
    end

    wire [N_NEURONS*ACC_BITS-1:0] iin_next;
    reg  [N_NEURONS*ACC_BITS-1:0] iin;
    // Operand isolation: the unit sees A only in the Iin write cycle.
    rsnn_input_scale #(.LANES(N_NEURONS), .A_W(ACC0_W)) u_input_scale (
        .a(a_sum), .s_in(s_in), .iin(iin_next)
    );
    always @(posedge clk) begin
        if (iin_write) iin <= iin_next;
    end

    rsnn_current #(.LANES(N_NEURONS), .BASE_W(ACC_BITS), .ACC0_W(ACC0_W),
                   .ACC1_W(ACC1_W)) u_current (
        .base(cur_use_iin ? iin : {N_NEURONS*ACC_BITS{1'b0}}),
        .acc0(cur_use_acc0 ? acc0_v : {N_NEURONS*ACC0_W{1'b0}}),
        .acc1(cur_use_acc1 ? acc1_v : {N_NEURONS*ACC1_W{1'b0}}),
        .current(current)
    );

    reg  [N_NEURONS*ACC_BITS-1:0] u0, u1;
    reg  [N_NEURONS-1:0]          s0k0, s0k1, s1k0, s1k1;
    wire [N_NEURONS*ACC_BITS-1:0] u_new;
    rsnn_lif #(.LANES(N_NEURONS)) u_lif (
        .u_prev(lif_layer ? u1 : u0), .i_in(current_v), .b(lif_b),
        .theta({1'b0, lif_theta}), .u(u_new), .spike(lif_spikes)
    );

    always @(posedge clk) begin
        if (!rst_n || clear_state) begin
            u0   <= {N_NEURONS*ACC_BITS{1'b0}};
            u1   <= {N_NEURONS*ACC_BITS{1'b0}};
            s0k0 <= {N_NEURONS{1'b0}};
            s0k1 <= {N_NEURONS{1'b0}};
            s1k0 <= {N_NEURONS{1'b0}};
            s1k1 <= {N_NEURONS{1'b0}};
        end else if (lif_en) begin
            if (lif_layer) u1 <= u_new;
            else           u0 <= u_new;
            case ({lif_layer, lif_step})
                2'b00:   s0k0 <= lif_spikes;
                2'b01:   s0k1 <= lif_spikes;
                2'b10:   s1k0 <= lif_spikes;
                default: s1k1 <= lif_spikes;
            endcase
        end
    end

    assign s0_k0 = s0k0;
    assign s0_k1 = s0k1;
    assign s1_k0 = s1k0;
    assign s1_k1 = s1k1;
endmodule
