// Output sender of one frame: 49 beats on the output stream (48 class scores
// sign-extended from 18 bits, then the predicted class, TLAST on the last) and, when
// `tap`, 2T beats on the spike tap (S0[0], S1[0], then S0[1], S1[1] at T = 2). Both
// streams run in parallel; `done` pulses when both are through. Inputs hold meanwhile.
module rsnn_out_tx (
    input  wire             clk,
    input  wire             rst_n,
    input  wire             start,
    input  wire             t2,
    input  wire             tap,
    input  wire [48*18-1:0] scores,
    input  wire [5:0]       pred,
    input  wire [127:0]     s0_k0,
    input  wire [127:0]     s0_k1,
    input  wire [127:0]     s1_k0,
    input  wire [127:0]     s1_k1,
    output wire [31:0]      out_tdata,
    output wire             out_tvalid,
    input  wire             out_tready,
    output wire             out_tlast,
    output reg  [127:0]     spk_tdata,
    output wire             spk_tvalid,
    input  wire             spk_tready,
    output wire             spk_tlast,
    output wire             done
);
    reg       active;
    reg [5:0] oidx;   // next output beat, 49 = all sent
    reg [2:0] sidx;   // next spike beat
    reg       tap_q;

    wire [2:0]  spk_beats = t2 ? 3'd4 : 3'd2;
    wire        out_more  = oidx != 6'd49;
    wire        spk_more  = tap_q && sidx != spk_beats;
    wire [17:0] score     = scores[18*oidx +: 18];

    assign out_tvalid = active && out_more;
    assign out_tdata  = (oidx == 6'd48) ? {26'd0, pred} : {{14{score[17]}}, score};
    assign out_tlast  = oidx == 6'd48;
    assign spk_tvalid = active && spk_more;
    assign spk_tlast  = sidx == spk_beats - 3'd1;
    assign done       = active && !out_more && !spk_more;

    always @* begin
        case (sidx)
            3'd0:    spk_tdata = s0_k0;
            3'd1:    spk_tdata = s1_k0;
            3'd2:    spk_tdata = s0_k1;
            default: spk_tdata = s1_k1;
        endcase
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            active <= 1'b0;
            oidx   <= 6'd0;
            sidx   <= 3'd0;
            tap_q  <= 1'b0;
        end else if (start) begin
            active <= 1'b1;
            oidx   <= 6'd0;
            sidx   <= 3'd0;
            tap_q  <= tap;
        end else if (active) begin
            if (out_tvalid && out_tready) oidx <= oidx + 6'd1;
            if (spk_tvalid && spk_tready) sidx <= sidx + 3'd1;
            if (done) active <= 1'b0;
        end
    end
endmodule
