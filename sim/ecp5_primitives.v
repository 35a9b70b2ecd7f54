// Stand-ins for the ECP5 primitives Amaranth's LatticeECP5Platform and the ULX3S board top
// instantiate (I/O buffers, DDR output registers and their output-enable flip-flops, the PLL),
// for Verilator's lint and for Icarus simulations of hdl/ulx3s_minesweeper.v
// (tests/test_ulx3s_top.py). Behaviour, not timing: Yosys and nextpnr use their own models.
`timescale 1ns/1ps
// The linter and Yosys (which defines SYNTHESIS) see the PLL's ports only: its clocks are
// made with delays, for Icarus.
`ifdef VERILATOR
`define ECP5_STAND_IN_PORTS_ONLY
`endif
`ifdef SYNTHESIS
`define ECP5_STAND_IN_PORTS_ONLY
`endif
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNUSEDPARAM */
module IB(input I, output O);
  assign O = I;
endmodule

module OBZ(input I, input T, output O);
  assign O = T ? 1'bz : I;
endmodule

module FD1S3AX #(parameter GSR = "ENABLED") (input CK, input D, output reg Q);
  initial Q = 1'b0;
  always @(posedge CK) Q <= D;
endmodule

module OFS1P3DX #(parameter GSR = "ENABLED") (input SCLK, input SP, input CD, input D, output reg Q);
  initial Q = 1'b0;
  always @(posedge SCLK or posedge CD)
    if (CD) Q <= 1'b0;
    else if (SP) Q <= D;
endmodule

// Both bits are taken at the rising edge; D0 is on the pin while SCLK is high, D1 while it is
// low (the real block's extra pipeline delay, the same on every lane, is left out).
module ODDRX1F(input SCLK, input RST, input D0, input D1, output Q);
  reg first = 1'b0, second = 1'b0, second_late = 1'b0;
  always @(posedge SCLK) begin
    first <= D0;
    second <= D1;
  end
  always @(negedge SCLK) second_late <= second;
  assign Q = SCLK ? first : second_late;
endmodule

// The PLL with CLKOP fed back: CLKOP = CLKI / CLKI_DIV * CLKFB_DIV, the VCO at CLKOP * CLKOP_DIV,
// CLKOS = VCO / CLKOS_DIV. It measures CLKI's period over two rising edges, then starts both
// outputs on one rising edge of CLKI, in phase, and raises LOCK a few CLKI periods later.
module EHXPLLL #(
  parameter CLKI_DIV = 1, parameter CLKFB_DIV = 1, parameter CLKOP_DIV = 8, parameter CLKOS_DIV = 8,
  parameter CLKOS2_DIV = 8, parameter CLKOS3_DIV = 8,
  parameter CLKOP_ENABLE = "ENABLED", parameter CLKOS_ENABLE = "DISABLED",
  parameter CLKOS2_ENABLE = "DISABLED", parameter CLKOS3_ENABLE = "DISABLED",
  parameter CLKOP_CPHASE = 0, parameter CLKOS_CPHASE = 0, parameter CLKOS2_CPHASE = 0,
  parameter CLKOS3_CPHASE = 0, parameter CLKOP_FPHASE = 0, parameter CLKOS_FPHASE = 0,
  parameter CLKOS2_FPHASE = 0, parameter CLKOS3_FPHASE = 0,
  parameter FEEDBK_PATH = "CLKOP", parameter CLKOP_TRIM_POL = "RISING", parameter CLKOP_TRIM_DELAY = 0,
  parameter CLKOS_TRIM_POL = "RISING", parameter CLKOS_TRIM_DELAY = 0,
  parameter OUTDIVIDER_MUXA = "DIVA", parameter OUTDIVIDER_MUXB = "DIVB",
  parameter OUTDIVIDER_MUXC = "DIVC", parameter OUTDIVIDER_MUXD = "DIVD",
  parameter PLL_LOCK_MODE = 0, parameter PLL_LOCK_DELAY = 200, parameter STDBY_ENABLE = "DISABLED",
  parameter REFIN_RESET = "DISABLED", parameter SYNC_ENABLE = "DISABLED", parameter INT_LOCK_STICKY = "ENABLED",
  parameter DPHASE_SOURCE = "DISABLED", parameter PLLRST_ENA = "DISABLED", parameter INTFB_WAKE = "DISABLED"
) (
  input CLKI, input CLKFB, input PHASESEL1, input PHASESEL0, input PHASEDIR, input PHASESTEP,
  input PHASELOADREG, input STDBY, input PLLWAKESYNC, input RST, input ENCLKOP, input ENCLKOS,
  input ENCLKOS2, input ENCLKOS3,
  output reg CLKOP, output reg CLKOS, output CLKOS2, output CLKOS3, output reg LOCK, output INTLOCK,
  output REFCLK, output CLKINTFB
);
  assign CLKOS2 = 1'b0;
  assign CLKOS3 = 1'b0;
  assign INTLOCK = LOCK;
  assign REFCLK = CLKI;
  assign CLKINTFB = CLKOP;
`ifdef ECP5_STAND_IN_PORTS_ONLY
  always @* begin CLKOP = CLKI; CLKOS = CLKI; LOCK = 1'b1; end
`else
  realtime first_edge, period_in, period_op, period_os;
  initial begin
    CLKOP = 1'b0;
    CLKOS = 1'b0;
    LOCK = 1'b0;
    @(posedge CLKI) first_edge = $realtime;
    @(posedge CLKI) period_in = $realtime - first_edge;
    period_op = period_in * CLKI_DIV / CLKFB_DIV;
    period_os = period_op / CLKOP_DIV * CLKOS_DIV;
    @(posedge CLKI);
    fork
      forever begin CLKOP = 1'b1; #(period_op / 2); CLKOP = 1'b0; #(period_op / 2); end
      if (CLKOS_ENABLE == "ENABLED")
        forever begin CLKOS = 1'b1; #(period_os / 2); CLKOS = 1'b0; #(period_os / 2); end
      begin repeat (4) @(posedge CLKI); LOCK = 1'b1; end
    join
  end
`endif
endmodule
/* verilator lint_on UNUSEDPARAM */
/* verilator lint_on UNUSEDSIGNAL */
