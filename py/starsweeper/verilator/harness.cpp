// The Verilator harness of the Minesweeper system: a subprocess that speaks a small binary
// protocol on stdin/stdout (py/starsweeper/verilator/protocol.py is its other side; every
// number below is little-endian).
//
// Start-up, harness -> client:  "SSHI", u32 protocol version, u16 width, u16 height.
// Each request, client -> harness:
//   'F', u8 buttons, u8 switches, u16 taps, then per tap: u8 buttons, u8 switches, u8 keep
//       Carry out the taps (a button press: switches first, the button down for hold_clocks,
//       up for hold_clocks unless kept, then wait while the core is busy), then hold
//       `buttons` (and the kept ones) with `switches` and answer with the next whole frame
//       that begins after the taps.
//   'D', the same: the frame whose vertical sync pulse is the first to begin, and its DVI
//       symbols after it (a model built with the DVI encoder only).
//   'Q'  quit.
// Each answer, harness -> client: a FrameHeader (harness.h), then width * height RGB332 bytes
// (for 'D', then h_total * v_total * 3 u16 symbols).
//
// The frame is rebuilt from the VGA pins alone, by the rules of the Icarus benches' monitor
// (sim/vga_capture.v): a line's active video starts h_back pixels after its horizontal sync
// pulse ends, and the first visible line is line start number v_back + 1 after the vertical
// sync pulse ends. Every sync pulse's width and period is checked; a wrong one counts in
// sync_errors.
//
// The timing numbers, the clocks a pixel, the TMDS control tokens, the frame header and whether
// the model has the DVI encoder and a reset input come from harness.h, which the build writes from their one
// definition in Python (verilator/build.py, harness_header).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "verilated.h"
#include "Vminesweeper_verilated.h"
#include "harness.h"

namespace {

constexpr uint32_t PROTOCOL_VERSION = 3;
constexpr int64_t H_TOTAL = H_VISIBLE + H_FRONT + H_SYNC + H_BACK;
constexpr int64_t V_TOTAL = V_VISIBLE + V_FRONT + V_SYNC + V_BACK;

struct Monitor {
    // With a pixel enable (CLOCKS_PER_PIXEL clocks a pixel), every width and period is that
    // many times longer and each pixel is sampled in the middle of its clocks.
    static constexpr int64_t C = CLOCKS_PER_PIXEL;
    int64_t now = 0, h_fall = -1, v_fall = -1, active_start = -1, line_count = -1, row = -1;
    bool hs_q = true, vs_q = true, armed = false, done = false;
    uint32_t sync_errors = 0;
    std::vector<uint8_t> frame = std::vector<uint8_t>(H_VISIBLE * V_VISIBLE);

    void expect(int64_t seen, int64_t wanted) { if (seen != wanted) ++sync_errors; }

    void sample(uint8_t pixel, bool hsync_n, bool vsync_n) {
        ++now;
        if (hs_q && !hsync_n) {
            if (h_fall >= 0) expect(now - h_fall, H_TOTAL * C);
            h_fall = now;
        }
        if (!hs_q && hsync_n && h_fall >= 0) {
            expect(now - h_fall, H_SYNC * C);
            active_start = now + H_BACK * C;
        }
        if (vs_q && !vsync_n) {
            if (v_fall >= 0) expect(now - v_fall, H_TOTAL * V_TOTAL * C);
            v_fall = now;
        }
        if (!vs_q && vsync_n && v_fall >= 0) {
            expect(now - v_fall, H_TOTAL * V_SYNC * C);
            line_count = armed ? 0 : -1;
        }
        hs_q = hsync_n;
        vs_q = vsync_n;
        if (now == active_start && line_count >= 0) {
            ++line_count;
            row = line_count - V_BACK - 1;
            if (row < 0 || row >= V_VISIBLE) row = -1;
        }
        if (row >= 0) {
            const int64_t clock = now - active_start;
            if (clock >= 0 && clock < H_VISIBLE * C && clock % C == C / 2) {
                const int64_t x = clock / C;
                frame[row * H_VISIBLE + x] = pixel;
                if (x == H_VISIBLE - 1) {
                    if (row == V_VISIBLE - 1) {
                        done = true;
                        armed = false;
                        line_count = -1;
                    }
                    row = -1;
                }
            }
        }
    }
};

// The DVI symbols of one frame, from the first clock whose channel-0 symbol is a control token
// with VSYNC (C1) low after one with it high: the start of the vertical sync pulse on the link.
struct DviCapture {
    bool armed = false, done = false, vsync_q = true;
    size_t count = 0;
    std::vector<uint16_t> symbols = std::vector<uint16_t>(H_TOTAL * V_TOTAL * 3);

    // VSYNC as channel 0 carries it: the last control token's C1 (held through data).
    bool vsync(uint16_t symbol) {
        for (int k = 0; k < 4; ++k)
            if (symbol == TMDS_CONTROL_TOKENS[k]) return (k >> 1) & 1;
        return vsync_q;
    }

    // Returns whether this clock began the capture.
    bool sample(uint32_t word) {
        const uint16_t channel[3] = {static_cast<uint16_t>(word & 0x3FF),
                                     static_cast<uint16_t>((word >> 10) & 0x3FF),
                                     static_cast<uint16_t>((word >> 20) & 0x3FF)};
        const bool v = vsync(channel[0]);
        const bool start = armed && count == 0 && vsync_q && !v;
        vsync_q = v;
        if (!start && (count == 0 || done)) return false;
        for (int c = 0; c < 3; ++c) symbols[count * 3 + c] = channel[c];
        if (++count == H_TOTAL * V_TOTAL) {
            done = true;
            armed = false;
        }
        return start;
    }
};

class Harness {
public:
    Harness(VerilatedContext* context, uint32_t seed, bool seed_force, uint8_t switches,
            uint32_t hold_clocks)
        : top(new Vminesweeper_verilated{context}), hold_clocks(hold_clocks) {
        top->seed_force = seed_force;
        top->seed_value = seed;
        top->buttons = 0;
        top->switches = switches;
        top->clk = 0;
        // The model resets itself for its first few clocks (verilator/top.py), with the
        // switches as they are at power-on.
#if STARSWEEPER_RESET_INPUT
        top->rst = 1;       // the benchmark's variant with a reset input
        for (int k = 0; k < 4; ++k) tick();
        top->rst = 0;
#endif
        for (int k = 0; k < 8; ++k) tick();
    }

    ~Harness() { top->final(); }

    // One clock: inputs were set while the clock was low; the rising edge; then the monitor
    // samples the pins as they are after it.
    void tick() {
        top->clk = 0;
        top->eval();
        top->clk = 1;
        top->eval();
        ++clocks;
        monitor.sample(static_cast<uint8_t>((top->vga_red << 5) | (top->vga_green << 2) | top->vga_blue),
                       top->vga_hsync_n, top->vga_vsync_n);
#if STARSWEEPER_DVI
        if (dvi.sample(top->dvi_symbols)) {
            monitor.armed = true;       // the VGA monitor takes the frame of this sync pulse
            monitor.done = false;
        }
#endif
    }

    void press(uint8_t button, uint8_t switches, bool keep) {
        top->switches = switches;
        for (int k = 0; k < 3; ++k) tick();
        top->buttons = button | kept;
        for (uint32_t k = 0; k < hold_clocks; ++k) tick();
        if (keep) {
            kept |= button;
        } else {
            top->buttons = kept;
            for (uint32_t k = 0; k < hold_clocks; ++k) tick();
        }
        while (top->busy) tick();
    }

    void frame(uint8_t buttons, uint8_t switches, bool with_dvi) {
        top->buttons = buttons | kept;
        top->switches = switches;
        kept = 0;
        monitor.done = false;
        if (with_dvi) {
            dvi.armed = true;           // arms the VGA monitor when the sync pulse begins
            dvi.done = false;
            dvi.count = 0;
            while (!monitor.done || !dvi.done) tick();
        } else {
            monitor.armed = true;
            while (!monitor.done) tick();
        }
        ++frames;
    }

    FrameHeader header() const {
        FrameHeader h;
        std::memcpy(h.magic, "SSFR", 4);
        h.frame = frames;
        h.clocks = clocks;
        h.sync_errors = monitor.sync_errors;
        read_ports(h, *top);
        return h;
    }

    const std::vector<uint8_t>& pixels() const { return monitor.frame; }
    const std::vector<uint16_t>& symbols() const { return dvi.symbols; }

private:
    std::unique_ptr<Vminesweeper_verilated> top;
    Monitor monitor;
    DviCapture dvi;
    uint32_t hold_clocks;
    uint8_t kept = 0;
    uint64_t clocks = 0;
    uint32_t frames = 0;
};

bool read_exact(void* buffer, size_t size) {
    return std::fread(buffer, 1, size, stdin) == size;
}

void write_exact(const void* buffer, size_t size) {
    if (std::fwrite(buffer, 1, size, stdout) != size) std::exit(0);   // the client has gone
}

[[noreturn]] void usage(const char* message) {
    std::fprintf(stderr, "starsweeper harness: %s\n", message);
    std::exit(2);
}

uint64_t number(const char* text, uint64_t limit) {
    char* end = nullptr;
    unsigned long long value = std::strtoull(text, &end, 10);
    if (!*text || *end || value > limit) usage("a number argument is out of range");
    return value;
}

}  // namespace

int main(int argc, char** argv) {
    uint32_t seed = 0, hold_clocks = 16;
    uint8_t switches = 0;
    bool seed_force = false;
    for (int k = 1; k < argc; ++k) {
        std::string option = argv[k];
        if (k + 1 >= argc) usage(("option " + option + " needs a value").c_str());
        if (option == "--seed") {
            seed = static_cast<uint32_t>(number(argv[++k], 0xFFFFFFFFull));
            seed_force = true;
        } else if (option == "--switches") {
            switches = static_cast<uint8_t>(number(argv[++k], 0xFF));
        } else if (option == "--hold-clocks") {
            hold_clocks = static_cast<uint32_t>(number(argv[++k], 1u << 30));
        } else {
            usage(("unknown option " + option).c_str());
        }
    }
    static char out_buffer[1 << 20];
    std::setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);

    auto context = std::make_unique<VerilatedContext>();
    Harness harness(context.get(), seed, seed_force, switches, hold_clocks);

    write_exact("SSHI", 4);
    const uint32_t version = PROTOCOL_VERSION;
    const uint16_t size[2] = {H_VISIBLE, V_VISIBLE};
    write_exact(&version, sizeof version);
    write_exact(size, sizeof size);
    std::fflush(stdout);

    for (;;) {
        uint8_t command;
        if (!read_exact(&command, 1) || command == 'Q') break;
        if (command != 'F' && command != 'D') usage("unknown request");
        if (command == 'D' && !STARSWEEPER_DVI) usage("this model has no DVI encoder");
        uint8_t level[2];
        uint16_t taps;
        if (!read_exact(level, 2) || !read_exact(&taps, 2)) break;
        for (uint16_t k = 0; k < taps; ++k) {
            uint8_t tap[3];
            if (!read_exact(tap, 3)) return 0;
            harness.press(tap[0], tap[1], tap[2] != 0);
        }
        harness.frame(level[0], level[1], command == 'D');
        const FrameHeader header = harness.header();
        write_exact(&header, sizeof header);
        write_exact(harness.pixels().data(), harness.pixels().size());
        if (command == 'D')
            write_exact(harness.symbols().data(), harness.symbols().size() * sizeof(uint16_t));
        std::fflush(stdout);
    }
    return 0;
}
