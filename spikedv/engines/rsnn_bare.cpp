// Bare Verilator driver of rsnn_accel: no Python, no VPI. The "bare" engine of
// spikedv.engines.rsnn and the reference point of the simulation-speed benchmark.
// Weights are preloaded at run time (+weights=DIR, rtl/common/sram_sp.v); registers are
// written over AXI-Lite; the frames of one utterance go through the AXI-Stream input
// while TREADY of both outputs is held high; every output packet is recorded.
//
// usage: rsnn_bare FRAMES.bin OUT.bin T S_IN B0 B1 THETA0 THETA1 COUNTERS [SCHEDULE]
//                  +weights=DIR
//   FRAMES.bin  frames x 48 bytes (features, padding 0)
//   COUNTERS    "frame": after each frame's outputs, read the counters over AXI-Lite
//               before the next frame goes in (they are latched per frame);
//               "none": frames back to back, no register reads (the speed reference)
//   SCHEDULE    "paper" (default; the register is left at its reset value) or "union"
//               (written to the SCHEDULE register before the first frame)
//   OUT.bin     per frame: 49 little-endian int32 (48 scores, the prediction), then
//               2T x 16 bytes of spike-tap beats (S0[0], S1[0], S0[1], S1[1]), then
//               the counters as little-endian uint32 (zeros with COUNTERS=none)
// prints one JSON line: frames, cycles, wall_s and cpu_s (frame loop only), errors, first.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "Vrsnn_accel.h"
#include "rsnn_regs.h"   // generated from regs/rsnn.hjson (spikedv regs --write)
#include "verilated.h"

namespace {

constexpr int kBeatsIn = 12;
constexpr int kWordsOut = 49;
constexpr int kSpikeBeatBytes = 16;

struct Sim {
    VerilatedContext ctx;
    Vrsnn_accel* top = nullptr;
    uint64_t cycles = 0;
    Sim(int argc, char** argv) {
        ctx.commandArgs(argc, argv);  // +weights=DIR reaches $value$plusargs
        top = new Vrsnn_accel{&ctx};
    }
    ~Sim() { top->final(); delete top; }
    // Settle the inputs set since the last edge (clock low), then one rising edge.
    void settle() { top->clk = 0; top->eval(); }
    void edge() { top->clk = 1; top->eval(); ++cycles; }
    void tick() { settle(); edge(); }
};

bool read_file(const char* path, std::vector<uint8_t>& out) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return true;
}

bool axil_write(Sim& s, uint32_t addr, uint32_t data) {
    Vrsnn_accel* t = s.top;
    t->s_axil_awaddr = addr; t->s_axil_awprot = 0; t->s_axil_awvalid = 1;
    t->s_axil_wdata = data; t->s_axil_wstrb = 0xF; t->s_axil_wvalid = 1;
    t->s_axil_bready = 1;
    bool aw = false, w = false;
    for (int i = 0; i < 100; ++i) {
        s.settle();
        bool aw_fire = t->s_axil_awvalid && t->s_axil_awready;
        bool w_fire = t->s_axil_wvalid && t->s_axil_wready;
        bool b_fire = t->s_axil_bvalid && t->s_axil_bready;
        s.edge();
        if (aw_fire) { aw = true; t->s_axil_awvalid = 0; }
        if (w_fire) { w = true; t->s_axil_wvalid = 0; }
        if (b_fire) {
            t->s_axil_bready = 0;
            return aw && w && t->s_axil_bresp == 0;
        }
    }
    return false;
}

bool axil_read(Sim& s, uint32_t addr, uint32_t& data) {
    Vrsnn_accel* t = s.top;
    t->s_axil_araddr = addr; t->s_axil_arprot = 0; t->s_axil_arvalid = 1;
    t->s_axil_rready = 1;
    for (int i = 0; i < 100; ++i) {
        s.settle();
        bool ar_fire = t->s_axil_arvalid && t->s_axil_arready;
        bool r_fire = t->s_axil_rvalid && t->s_axil_rready;
        uint32_t rdata = t->s_axil_rdata;
        bool ok = t->s_axil_rresp == 0;
        s.edge();
        if (ar_fire) t->s_axil_arvalid = 0;
        if (r_fire) {
            t->s_axil_rready = 0;
            data = rdata;
            return ok;
        }
    }
    return false;
}

void put32(std::vector<uint8_t>& out, size_t at, uint32_t v) {
    for (int b = 0; b < 4; ++b) out[at + b] = (v >> (8 * b)) & 0xFF;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 10) {
        std::fprintf(stderr, "usage: %s FRAMES.bin OUT.bin T S_IN B0 B1 THETA0 THETA1 "
                             "frame|none [paper|union] +weights=DIR\n", argv[0]);
        return 2;
    }
    std::vector<uint8_t> frames;
    if (!read_file(argv[1], frames)) {
        std::fprintf(stderr, "%s: cannot read\n", argv[1]);
        return 2;
    }
    const size_t n = frames.size() / 48;
    if (frames.size() != n * 48) {
        std::fprintf(stderr, "%s: %zu bytes, not a whole number of 48-byte frames\n", argv[1],
                     frames.size());
        return 2;
    }
    const uint32_t config[6] = {
        (uint32_t)std::atoi(argv[3]), (uint32_t)std::atoi(argv[4]), (uint32_t)std::atoi(argv[5]),
        (uint32_t)std::atoi(argv[6]), (uint32_t)std::atoi(argv[7]), (uint32_t)std::atoi(argv[8])};
    const uint32_t config_addr[6] = {RSNN_REG_T, RSNN_REG_S_IN, RSNN_REG_B0, RSNN_REG_B1,
                                     RSNN_REG_THETA0, RSNN_REG_THETA1};
    const uint32_t T = config[0];
    const bool read_counters = std::strcmp(argv[9], "frame") == 0;
    if (!read_counters && std::strcmp(argv[9], "none") != 0) {
        std::fprintf(stderr, "COUNTERS must be 'frame' or 'none', not '%s'\n", argv[9]);
        return 2;
    }
    // Optional SCHEDULE argument (plusargs start with '+').
    bool write_schedule = false;
    uint32_t schedule = RSNN_SCHEDULE_PAPER;
    if (argc > 10 && argv[10][0] != '+') {
        if (std::strcmp(argv[10], "union") == 0) {
            schedule = RSNN_SCHEDULE_UNION;
        } else if (std::strcmp(argv[10], "paper") != 0) {
            std::fprintf(stderr, "SCHEDULE must be 'paper' or 'union', not '%s'\n", argv[10]);
            return 2;
        }
        write_schedule = true;
    }
    const size_t spike_bytes = 2 * T * kSpikeBeatBytes;
    const size_t record = kWordsOut * 4 + spike_bytes + RSNN_N_COUNTERS * 4;
    std::vector<uint8_t> out(n * record, 0);

    Sim s(argc, argv);
    Vrsnn_accel* t = s.top;
    t->rst_n = 0;
    t->s_axis_tvalid = 0; t->m_axis_tready = 0; t->m_axis_spk_tready = 0;
    t->s_axil_awvalid = 0; t->s_axil_wvalid = 0; t->s_axil_arvalid = 0;
    t->s_axil_bready = 0; t->s_axil_rready = 0;
    for (int i = 0; i < 3; ++i) s.tick();
    t->rst_n = 1;
    s.tick();
    for (int r = 0; r < 6; ++r) {
        if (!axil_write(s, config_addr[r], config[r])) {
            std::fprintf(stderr, "AXI-Lite write of register 0x%03x failed\n", config_addr[r]);
            return 1;
        }
    }
    if (write_schedule && !axil_write(s, RSNN_REG_SCHEDULE, schedule << RSNN_SCHEDULE_SHIFT)) {
        std::fprintf(stderr, "AXI-Lite write of SCHEDULE failed\n");
        return 1;
    }
    if (!axil_write(s, RSNN_REG_CTRL, RSNN_CTRL_ENABLE_MASK | RSNN_CTRL_SPIKE_TAP_MASK)) {
        std::fprintf(stderr, "AXI-Lite write of CTRL failed\n");
        return 1;
    }

    const uint64_t cycles0 = s.cycles;
    const auto wall0 = std::chrono::steady_clock::now();
    const std::clock_t cpu0 = std::clock();
    size_t in_frame = 0, in_beat = 0, out_frame = 0, out_word = 0;
    size_t spk_frame = 0, spk_beat = 0, counted = 0;
    size_t errors = 0;
    std::string first;
    auto error = [&](const std::string& what) { if (errors++ == 0) first = what; };
    const uint64_t limit = cycles0 + (uint64_t)(n + 1) * 20000;
    t->m_axis_tready = 1;
    t->m_axis_spk_tready = 1;
    // In "frame" mode a frame goes in only once the previous one's outputs and counters
    // are in; in "none" mode the input runs ahead.
    auto may_send = [&]() { return in_frame < n && (!read_counters || in_frame == counted); };
    auto drive_in = [&]() {
        if (may_send()) {
            const uint8_t* b = &frames[in_frame * 48 + in_beat * 4];
            t->s_axis_tdata = b[0] | (b[1] << 8) | (b[2] << 16) | ((uint32_t)b[3] << 24);
            t->s_axis_tlast = in_beat == kBeatsIn - 1;
            t->s_axis_tuser = in_frame == 0 && in_beat == 0;
            t->s_axis_tvalid = 1;
        } else {
            t->s_axis_tvalid = 0;
        }
    };
    drive_in();
    while ((out_frame < n || spk_frame < n) && s.cycles < limit) {
        s.settle();
        const bool in_fire = t->s_axis_tvalid && t->s_axis_tready;
        bool frame_done = false;
        if (t->m_axis_tvalid && out_frame < n) {
            put32(out, out_frame * record + out_word * 4, t->m_axis_tdata);
            const bool last = out_word == kWordsOut - 1;
            if ((bool)t->m_axis_tlast != last)
                error("frame " + std::to_string(out_frame) + " score word " +
                      std::to_string(out_word) + ": TLAST " + std::to_string(t->m_axis_tlast));
            if (++out_word == kWordsOut) { out_word = 0; ++out_frame; }
        }
        if (t->m_axis_spk_tvalid && spk_frame < n) {
            if (spk_beat < 2 * T) {
                uint8_t* dst = &out[spk_frame * record + kWordsOut * 4 + spk_beat * kSpikeBeatBytes];
                for (int w = 0; w < 4; ++w) put32(out, dst - out.data() + 4 * w,
                                                  t->m_axis_spk_tdata[w]);
            }
            ++spk_beat;
            if (t->m_axis_spk_tlast) {
                if (spk_beat != 2 * T)
                    error("frame " + std::to_string(spk_frame) + " spike tap: " +
                          std::to_string(spk_beat) + " beats, expected " + std::to_string(2 * T));
                spk_beat = 0;
                ++spk_frame;
                frame_done = true;
            }
        }
        s.edge();
        if (in_fire && ++in_beat == kBeatsIn) { in_beat = 0; ++in_frame; }
        if (read_counters && frame_done) {
            // Both packets of frame f are in once its spike packet ends (it trails scores).
            while (out_frame < spk_frame && s.cycles < limit) {
                s.settle();
                if (t->m_axis_tvalid) {
                    put32(out, out_frame * record + out_word * 4, t->m_axis_tdata);
                    if (++out_word == kWordsOut) { out_word = 0; ++out_frame; }
                }
                s.edge();
            }
            const size_t f = spk_frame - 1;
            for (uint32_t c = 0; c < RSNN_N_COUNTERS; ++c) {
                uint32_t value = 0;
                if (!axil_read(s, RSNN_REG_COUNTERS + 4 * c, value))
                    error("frame " + std::to_string(f) + ": counter read failed");
                put32(out, f * record + kWordsOut * 4 + spike_bytes + 4 * c, value);
            }
            counted = f + 1;
        }
        drive_in();
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    const double cpu = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
    if (out_frame < n || spk_frame < n)
        error("timeout: " + std::to_string(out_frame) + " score and " + std::to_string(spk_frame) +
              " spike packets of " + std::to_string(n) + " frames received");
    std::ofstream f(argv[2], std::ios::binary);
    f.write(reinterpret_cast<const char*>(out.data()), (std::streamsize)out.size());
    if (!f) error(std::string("cannot write ") + argv[2]);
    std::printf("{\"frames\": %zu, \"cycles\": %llu, \"wall_s\": %.6f, \"cpu_s\": %.6f, "
                "\"errors\": %zu, \"first\": \"%s\"}\n",
                n, (unsigned long long)(s.cycles - cycles0), wall, cpu, errors, first.c_str());
    return errors ? 1 : 0;
}
