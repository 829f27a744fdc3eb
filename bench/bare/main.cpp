// Bare Verilator driver of rsnn_accel for the simulation-speed benchmark: no Python, no
// VPI. Weights are preloaded by the build (WEIGHTS_DIR); the registers are written over
// AXI-Lite; the frames of one utterance are fed back to back from a binary file through
// the AXI-Stream input while TREADY of both outputs is held high; every output packet is
// compared with the expected scores and prediction (written by Python from the model).
//
// usage: rsnn_bare FRAMES.bin EXPECTED.bin T S_IN B0 B1 THETA0 THETA1
//   FRAMES.bin   frames x 48 bytes (features, padding 0)
//   EXPECTED.bin frames x 49 little-endian int32 (48 scores, then the prediction)
// prints one JSON line: frames, cycles, wall_s and cpu_s (frame loop only), mismatches,
// first.
#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "Vrsnn_accel.h"
#include "verilated.h"

namespace {

constexpr int kBeatsIn = 12;
constexpr int kWordsOut = 49;

struct Sim {
    VerilatedContext ctx;
    Vrsnn_accel* top;
    uint64_t cycles = 0;
    Sim() { top = new Vrsnn_accel{&ctx}; }
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

}  // namespace

int main(int argc, char** argv) {
    if (argc != 9) {
        std::fprintf(stderr, "usage: %s FRAMES.bin EXPECTED.bin T S_IN B0 B1 THETA0 THETA1\n",
                     argv[0]);
        return 2;
    }
    std::vector<uint8_t> frames, expected;
    if (!read_file(argv[1], frames) || !read_file(argv[2], expected)) {
        std::fprintf(stderr, "cannot read %s or %s\n", argv[1], argv[2]);
        return 2;
    }
    const size_t n = frames.size() / 48;
    if (frames.size() != n * 48 || expected.size() != n * kWordsOut * 4) {
        std::fprintf(stderr, "file sizes do not match: %zu frames\n", n);
        return 2;
    }
    const uint32_t regs[6] = {
        (uint32_t)std::atoi(argv[3]), (uint32_t)std::atoi(argv[4]), (uint32_t)std::atoi(argv[5]),
        (uint32_t)std::atoi(argv[6]), (uint32_t)std::atoi(argv[7]), (uint32_t)std::atoi(argv[8])};
    const uint32_t T = regs[0];

    Sim s;
    Vrsnn_accel* t = s.top;
    t->rst_n = 0;
    t->s_axis_tvalid = 0; t->m_axis_tready = 0; t->m_axis_spk_tready = 0;
    t->s_axil_awvalid = 0; t->s_axil_wvalid = 0; t->s_axil_arvalid = 0;
    t->s_axil_bready = 0; t->s_axil_rready = 0;
    for (int i = 0; i < 3; ++i) s.tick();
    t->rst_n = 1;
    s.tick();
    for (int r = 0; r < 6; ++r) {
        if (!axil_write(s, 0x010 + 4 * r, regs[r])) {
            std::fprintf(stderr, "AXI-Lite write of register 0x%03x failed\n", 0x010 + 4 * r);
            return 1;
        }
    }
    if (!axil_write(s, 0x004, 0x5)) {  // CTRL: ENABLE | SPIKE_TAP
        std::fprintf(stderr, "AXI-Lite write of CTRL failed\n");
        return 1;
    }

    const uint64_t cycles0 = s.cycles;
    const auto wall0 = std::chrono::steady_clock::now();
    const std::clock_t cpu0 = std::clock();
    size_t in_frame = 0, in_beat = 0, out_frame = 0, out_word = 0, spk_beats = 0;
    size_t mismatches = 0;
    std::string first;
    const uint64_t limit = cycles0 + (uint64_t)(n + 1) * 20000;
    t->m_axis_tready = 1;
    t->m_axis_spk_tready = 1;
    auto drive_in = [&]() {
        if (in_frame < n) {
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
    while (out_frame < n && s.cycles < limit) {
        s.settle();
        const bool in_fire = t->s_axis_tvalid && t->s_axis_tready;
        if (t->m_axis_tvalid) {
            const int32_t got = (int32_t)t->m_axis_tdata;
            int32_t want;
            const size_t at = (out_frame * kWordsOut + out_word) * 4;
            want = (int32_t)(expected[at] | (expected[at + 1] << 8) | (expected[at + 2] << 16) |
                             ((uint32_t)expected[at + 3] << 24));
            const bool last_ok = (bool)t->m_axis_tlast == (out_word == kWordsOut - 1);
            if (got != want || !last_ok) {
                if (mismatches++ == 0)
                    first = "frame " + std::to_string(out_frame) + " word " +
                            std::to_string(out_word) + ": expected " + std::to_string(want) +
                            " got " + std::to_string(got) + (last_ok ? "" : " (TLAST wrong)");
            }
            if (++out_word == kWordsOut) { out_word = 0; ++out_frame; }
        }
        if (t->m_axis_spk_tvalid) ++spk_beats;
        s.edge();
        if (in_fire && ++in_beat == kBeatsIn) { in_beat = 0; ++in_frame; }
        drive_in();
    }
    // The spike tap's last beats may trail the scores by a cycle or two.
    for (int i = 0; i < 8 && spk_beats < 2 * T * n; ++i) {
        s.settle();
        if (t->m_axis_spk_tvalid) ++spk_beats;
        s.edge();
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    const double cpu = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
    if (out_frame < n) {
        if (mismatches++ == 0) first = "timeout: " + std::to_string(out_frame) + " of " +
                                       std::to_string(n) + " frames received";
    }
    if (spk_beats != 2 * T * n) {
        if (mismatches++ == 0) first = "spike tap: " + std::to_string(spk_beats) +
                                       " beats, expected " + std::to_string(2 * T * n);
    }
    std::printf("{\"frames\": %zu, \"cycles\": %llu, \"wall_s\": %.6f, \"cpu_s\": %.6f, "
                "\"mismatches\": %zu, \"first\": \"%s\"}\n",
                n, (unsigned long long)(s.cycles - cycles0), wall, cpu, mismatches, first.c_str());
    return mismatches ? 1 : 0;
}
