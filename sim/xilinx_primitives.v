// Port-level stand-ins for the Spartan-6 primitives Amaranth's XilinxPlatform instantiates in a
// board top (I/O buffers, the global clock buffer, the start-up block), so that Verilator can
// lint hdl/nexys3_minesweeper.v. Lint only: ISE and Yosys use their own libraries.
/* verilator lint_off UNUSEDSIGNAL */
module IBUF(input I, output O);
  assign O = I;
endmodule

module OBUFT(input I, input T, output O);
  assign O = T ? 1'bz : I;
endmodule

module BUFGCE(input I, input CE, output O);
  assign O = I & CE;
endmodule

// Only the port the platform connects (end of start-up); the real block has more, left open.
module STARTUP_SPARTAN6(output EOS);
  assign EOS = 1'b1;
endmodule
/* verilator lint_on UNUSEDSIGNAL */
