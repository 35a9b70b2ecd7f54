"""Digilent Nexys 3 (Xilinx Spartan-6 XC6SLX16-3CSG324), in the style of amaranth-boards.

Every pin and I/O standard is from the project's fact sheet (shared/nexys3.md: Digilent's
Nexys3_Master.ucf checked against independent projects); net names in the comments are the
master UCF's. Every pin is LVCMOS33.
"""

from amaranth.build import Attrs, Clock, Pins, PinsN, Resource, Subsignal
from amaranth.vendor import XilinxPlatform

__all__ = ["Nexys3Platform"]

_LVCMOS33 = Attrs(IOSTANDARD="LVCMOS33")


def _singles(name, pins, direction):
    return [Resource(name, i, Pins(pin, dir=direction), _LVCMOS33) for i, pin in enumerate(pins.split())]


class Nexys3Platform(XilinxPlatform):
    device = "xc6slx16"
    package = "csg324"
    speed = "3"
    default_clk = "clk100"

    resources = [
        # clk, the 100 MHz oscillator (TS_sys_clk_pin = PERIOD 100000 kHz).
        Resource("clk100", 0, Pins("V10", dir="i"), Clock(100e6), _LVCMOS33),

        # btn<0..4>: BTNS (centre), BTNU, BTNL, BTND, BTNR; high when pressed.
        Resource("button_centre", 0, Pins("B8", dir="i"), _LVCMOS33),
        Resource("button_up", 0, Pins("A8", dir="i"), _LVCMOS33),
        Resource("button_left", 0, Pins("C4", dir="i"), _LVCMOS33),
        Resource("button_down", 0, Pins("C9", dir="i"), _LVCMOS33),
        Resource("button_right", 0, Pins("D9", dir="i"), _LVCMOS33),

        # sw<0..7>
        *_singles("switch", "T10 T9 V9 M8 N8 U8 V8 T5", "i"),
        # Led<0..7>, on when driven high
        *_singles("led", "U16 V16 U15 V15 M11 N11 R11 T11", "o"),

        # Seven-segment display, common anode: seg<0..7> = CA..CG, DP and an<0..3>, all active
        # low. AN0 is the rightmost digit.
        Resource("display_7seg", 0,
                 Subsignal("a", PinsN("T17", dir="o")),
                 Subsignal("b", PinsN("T18", dir="o")),
                 Subsignal("c", PinsN("U17", dir="o")),
                 Subsignal("d", PinsN("U18", dir="o")),
                 Subsignal("e", PinsN("M14", dir="o")),
                 Subsignal("f", PinsN("N14", dir="o")),
                 Subsignal("g", PinsN("L14", dir="o")),
                 Subsignal("dp", PinsN("M13", dir="o")),
                 _LVCMOS33),
        Resource("display_7seg_ctrl", 0,
                 Subsignal("en", PinsN("N16 N15 P18 P17", dir="o")),
                 _LVCMOS33),

        # VGA, 8-bit colour: vgaRed<0..2>, vgaGreen<0..2>, vgaBlue<1..2> (index 2 the MSB).
        Resource("vga", 0,
                 Subsignal("r", Pins("U7 V7 N7", dir="o")),
                 Subsignal("g", Pins("P8 T6 V6", dir="o")),
                 Subsignal("b", Pins("R7 T7", dir="o")),
                 Subsignal("hs", Pins("N6", dir="o")),
                 Subsignal("vs", Pins("P7", dir="o")),
                 _LVCMOS33),

        # USB-UART (FT232R): RsRx into the FPGA, RsTx out of it.
        Resource("uart", 0,
                 Subsignal("rx", Pins("N17", dir="i")),
                 Subsignal("tx", Pins("N18", dir="o")),
                 _LVCMOS33),

        # USB-HID host: a PIC presenting keyboard and mouse as PS/2; open drain, pulled up here.
        Resource("ps2_keyboard", 0,
                 Subsignal("clk", Pins("L12", dir="io")),
                 Subsignal("dat", Pins("J13", dir="io")),
                 Attrs(IOSTANDARD="LVCMOS33", PULLUP="TRUE")),
        Resource("ps2_mouse", 0,
                 Subsignal("clk", Pins("L13", dir="io")),
                 Subsignal("dat", Pins("K14", dir="io")),
                 Attrs(IOSTANDARD="LVCMOS33", PULLUP="TRUE")),
    ]
    connectors = []

    def toolchain_prepare(self, fragment, name, **kwargs):
        # A bitstream for JTAG download: with ISE's default StartUpClk:CClk, djtgcfg can stop
        # at a Y/N question and block a script.
        # map and par at high effort, as Digilent's reference flow runs them.
        overrides = {
            "map_opts": "-ol high",
            "par_opts": "-ol high",
            "bitgen_opts": "-g Compress -g StartUpClk:JtagClk",
        }
        overrides.update(kwargs)
        return super().toolchain_prepare(fragment, name, **overrides)
