// Test-only harness of the assertion checkers (rtl/*/sva/, docs/formal.md): one instance
// of every checker module with every port on the top level, so that a cocotb test
// (verif/common/test_assertions.py) can play a misbehaving design or bus master and
// break each rule on purpose. Verilator only (--assert); no .f file: the test lists the
// checker files itself, and this harness is not part of the lint of the tree.
module sva_fire_harness (
    input wire         clk,
    input wire         rst_n,
    // axis_checker: packets of 3 beats, TUSER the same on every beat of a packet
    input wire [7:0]   ax_tdata,
    input wire         ax_tvalid,
    input wire         ax_tready,
    input wire         ax_tlast,
    input wire [0:0]   ax_tuser,
    // axil_checker: both the master's and the slave's rules
    input wire [15:0]  al_awaddr,
    input wire [2:0]   al_awprot,
    input wire         al_awvalid,
    input wire         al_awready,
    input wire [31:0]  al_wdata,
    input wire [3:0]   al_wstrb,
    input wire         al_wvalid,
    input wire         al_wready,
    input wire [1:0]   al_bresp,
    input wire         al_bvalid,
    input wire         al_bready,
    input wire [15:0]  al_araddr,
    input wire [2:0]   al_arprot,
    input wire         al_arvalid,
    input wire         al_arready,
    input wire [31:0]  al_rdata,
    input wire [1:0]   al_rresp,
    input wire         al_rvalid,
    input wire         al_rready,
    // reg_bus_checker
    input wire         rb_wr_req,
    input wire [15:0]  rb_wr_addr,
    input wire [31:0]  rb_wr_data,
    input wire [3:0]   rb_wr_strb,
    input wire         rb_wr_ack,
    input wire         rb_rd_req,
    input wire [15:0]  rb_rd_addr,
    input wire         rb_rd_ack,
    // rsnn_accel_checker
    input wire [3:0]   ra_ctrl_state,
    input wire         ra_tx_active,
    input wire         ra_busy,
    input wire         ra_compute,
    // rsnn_ctrl_checker
    input wire [3:0]   rc_state,
    input wire         rc_step,
    input wire         rc_t2,
    input wire         rc_compute,
    input wire         rc_lif_en,
    input wire         rc_l_walk_done,
    input wire         rc_a_done,
    input wire         rc_b0_done,
    input wire         rc_b1_done,
    input wire         rc_d0_done,
    input wire         rc_d1_done,
    input wire         rc_c_done,
    input wire         rc_mem_reads,
    input wire         rc_pe_ops,
    input wire [15:0]  rc_c_in,
    input wire [15:0]  rc_c_l0,
    input wire [15:0]  rc_c_l1,
    input wire [15:0]  rc_c_fc,
    input wire [15:0]  rc_c_total,
    input wire [15:0]  rc_r_win,
    input wire [15:0]  rc_r_wrec,
    input wire [15:0]  rc_r_wfc,
    input wire         rc_utt_reset,
    input wire         rc_utt_pending,
    input wire         rc_frame_utt,
    // rsnn_in_rx_checker
    input wire         rx_s_tvalid,
    input wire         rx_s_tready,
    input wire         rx_s_tlast,
    input wire [3:0]   rx_beat,
    input wire         rx_frame_valid,
    input wire         rx_frame_take,
    input wire         rx_err_len,
    // rsnn_state_checker, 2 lanes, 18/12-bit accumulators
    input wire         st_acc_clear,
    input wire         st_pe0_en,
    input wire [2:0]   st_pe0_shift,
    input wire [7:0]   st_pe0_row,
    input wire         st_pe1_en,
    input wire [2:0]   st_pe1_shift,
    input wire [7:0]   st_pe1_row,
    input wire [35:0]  st_acc0,
    input wire [23:0]  st_acc1,
    input wire         st_cur_use_acc0,
    input wire         st_cur_use_acc1,
    input wire         st_lif_en,
    input wire         st_lif_layer,
    input wire         st_lif_step,
    input wire [2:0]   st_lif_b,
    input wire [10:0]  st_lif_theta,
    input wire [23:0]  st_u0,
    input wire [23:0]  st_u1,
    input wire [23:0]  st_current,
    input wire [23:0]  st_u_new,
    input wire [1:0]   st_lif_spikes,
    input wire [1:0]   st_s0k0,
    input wire [1:0]   st_s0k1,
    input wire [1:0]   st_s1k0,
    input wire [1:0]   st_s1k1,
    // qclif_ctrl_checker, N = 200, NP = 20 (P = 10 passes)
    input wire [2:0]   qc_state,
    input wire [4:0]   qc_k,
    input wire         qc_step,
    input wire [3:0]   qc_step_row,
    input wire         qc_mem_en,
    input wire         qc_ctx_load,
    input wire         qc_out_valid,
    input wire         qc_spk_phase,
    input wire [3:0]   qc_out_idx,
    input wire [7:0]   qc_cyc_cnt,
    input wire [7:0]   qc_spk_cnt,
    input wire [7:0]   qc_prev_pop,
    input wire [16:0]  qc_sample_bins,
    // qclif_unit_checker
    input wire         qu_step,
    input wire [7:0]   qu_va,
    input wire [7:0]   qu_v,
    input wire [7:0]   qu_la,
    input wire [7:0]   qu_ls,
    input wire [7:0]   qu_theta,
    input wire [3:0]   qu_sd,
    input wire [7:0]   qu_i_s,
    input wire [7:0]   qu_i_a,
    input wire [7:0]   qu_va_next,
    input wire [8:0]   qu_g,
    input wire [17:0]  qu_d,
    input wire [7:0]   qu_v_soma,
    input wire [7:0]   qu_v_next,
    input wire         qu_spike
);
    axis_checker #(.DATA_W(8), .USER_W(1), .USER_PACKET(1)) u_axis (
        .clk(clk), .rst_n(rst_n), .tdata(ax_tdata), .tvalid(ax_tvalid), .tready(ax_tready),
        .tlast(ax_tlast), .tuser(ax_tuser), .len_a(16'd3), .len_b(16'd3));

    axil_checker #(.ADDR_W(16), .CHECK_SLAVE(1), .CHECK_MASTER(1)) u_axil (
        .clk(clk), .rst_n(rst_n),
        .awaddr(al_awaddr), .awprot(al_awprot), .awvalid(al_awvalid), .awready(al_awready),
        .wdata(al_wdata), .wstrb(al_wstrb), .wvalid(al_wvalid), .wready(al_wready),
        .bresp(al_bresp), .bvalid(al_bvalid), .bready(al_bready),
        .araddr(al_araddr), .arprot(al_arprot), .arvalid(al_arvalid), .arready(al_arready),
        .rdata(al_rdata), .rresp(al_rresp), .rvalid(al_rvalid), .rready(al_rready));

    reg_bus_checker #(.ADDR_W(16)) u_reg_bus (
        .clk(clk), .rst_n(rst_n), .wr_req(rb_wr_req), .wr_addr(rb_wr_addr),
        .wr_data(rb_wr_data), .wr_strb(rb_wr_strb), .wr_ack(rb_wr_ack),
        .rd_req(rb_rd_req), .rd_addr(rb_rd_addr), .rd_ack(rb_rd_ack));

    rsnn_accel_checker u_rsnn_accel (
        .clk(clk), .rst_n(rst_n), .ctrl_state(ra_ctrl_state), .tx_active(ra_tx_active),
        .busy(ra_busy), .compute(ra_compute));

    rsnn_ctrl_checker u_rsnn_ctrl (
        .clk(clk), .rst_n(rst_n), .state(rc_state), .step(rc_step), .t2(rc_t2),
        .compute(rc_compute), .lif_en(rc_lif_en), .l_walk_done(rc_l_walk_done),
        .a_done(rc_a_done), .b0_done(rc_b0_done), .b1_done(rc_b1_done),
        .d0_done(rc_d0_done), .d1_done(rc_d1_done), .c_done(rc_c_done),
        .mem_reads(rc_mem_reads), .pe_ops(rc_pe_ops), .c_in(rc_c_in), .c_l0(rc_c_l0),
        .c_l1(rc_c_l1), .c_fc(rc_c_fc), .c_total(rc_c_total), .r_win(rc_r_win),
        .r_wrec(rc_r_wrec), .r_wfc(rc_r_wfc), .utt_reset(rc_utt_reset),
        .utt_pending(rc_utt_pending), .frame_utt(rc_frame_utt));

    rsnn_in_rx_checker u_rsnn_in_rx (
        .clk(clk), .rst_n(rst_n), .s_tvalid(rx_s_tvalid), .s_tready(rx_s_tready),
        .s_tlast(rx_s_tlast), .beat(rx_beat), .frame_valid(rx_frame_valid),
        .frame_take(rx_frame_take), .err_len(rx_err_len));

    rsnn_state_checker #(.LANES(2), .ACC0_W(18), .ACC1_W(12)) u_rsnn_state (
        .clk(clk), .rst_n(rst_n), .acc_clear(st_acc_clear),
        .pe0_en(st_pe0_en), .pe0_shift(st_pe0_shift), .pe0_row(st_pe0_row),
        .pe1_en(st_pe1_en), .pe1_shift(st_pe1_shift), .pe1_row(st_pe1_row),
        .acc0(st_acc0), .acc1(st_acc1), .cur_use_acc0(st_cur_use_acc0),
        .cur_use_acc1(st_cur_use_acc1), .lif_en(st_lif_en), .lif_layer(st_lif_layer),
        .lif_step(st_lif_step), .lif_b(st_lif_b), .lif_theta(st_lif_theta),
        .u0(st_u0), .u1(st_u1), .current(st_current), .u_new(st_u_new),
        .lif_spikes(st_lif_spikes), .s0k0(st_s0k0), .s0k1(st_s0k1), .s1k0(st_s1k0),
        .s1k1(st_s1k1));

    qclif_ctrl_checker #(.N(200), .NP(20), .ROW_W(4)) u_qclif_ctrl (
        .clk(clk), .rst_n(rst_n), .state(qc_state), .k(qc_k), .step(qc_step),
        .step_row(qc_step_row), .mem_en(qc_mem_en), .ctx_load(qc_ctx_load),
        .out_valid(qc_out_valid), .spk_phase(qc_spk_phase), .out_idx(qc_out_idx),
        .cyc_cnt(qc_cyc_cnt), .spk_cnt(qc_spk_cnt), .prev_pop(qc_prev_pop),
        .sample_bins(qc_sample_bins));

    qclif_unit_checker u_qclif_unit (
        .clk(clk), .step(qu_step), .va(qu_va), .v(qu_v), .la(qu_la), .ls(qu_ls),
        .theta(qu_theta), .sd(qu_sd), .i_s(qu_i_s), .i_a(qu_i_a), .va_next(qu_va_next),
        .g(qu_g), .d(qu_d), .v_soma(qu_v_soma), .v_next(qu_v_next), .spike(qu_spike));
endmodule
