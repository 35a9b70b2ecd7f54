// The Minesweeper system (hdl/minesweeper_system.v, or the same module emitted with a test's
// parameters) with the pin-level VGA monitor (vga_capture.v) on its VGA port. The cocotb
// testbench (test_minesweeper_display.py) drives the system's inputs and the monitor's `arm`,
// and reads `busy` and the monitor's `captured` count; the timing parameters come from
// starsweeper/model/vga.py through tests/test_display_rtl.py.
module display_bench #(
    parameter H_VISIBLE = 640,
    parameter V_VISIBLE = 480,
    parameter H_BACK = 48,
    parameter V_BACK = 33,
    parameter CLOCKS_PER_PIXEL = 1
) (
    input clk,
    input rst,
    input [4:0] buttons,
    input [7:0] switches,
    input seed_force,
    input [31:0] seed_value,
    input arm,
    output busy,
    output [7:0] leds,
    output [31:0] captured
);
  wire [2:0] red, green;
  wire [1:0] blue;
  wire hsync_n, vsync_n, active, done;

  minesweeper_system dut(
      .clk(clk), .rst(rst), .buttons(buttons), .switches(switches),
      .seed_force(seed_force), .seed_value(seed_value), .leds(leds),
      .vga__red(red), .vga__green(green), .vga__blue(blue),
      .vga__hsync_n(hsync_n), .vga__vsync_n(vsync_n), .vga__active(active), .busy(busy),
      // not watched here: the cocotb bench reads the game through the frames
      .segments(), .anodes(), .status(), .difficulty(), .cursor_row(),
      .cursor_col(), .counter(), .timer());

  vga_capture #(
      .H_VISIBLE(H_VISIBLE), .V_VISIBLE(V_VISIBLE), .H_BACK(H_BACK), .V_BACK(V_BACK),
      .CLOCKS_PER_PIXEL(CLOCKS_PER_PIXEL), .FRAMES(32'h7fffffff)
  ) monitor(
      .clk(clk), .red(red), .green(green), .blue(blue), .hsync_n(hsync_n), .vsync_n(vsync_n),
      .active(active), .arm(arm), .captured(captured), .done(done));
endmodule
