// The VGA test pattern (hdl/vga_test_pattern.v) with the pin-level VGA monitor
// (vga_capture.v) always armed on its pins, stopping after FRAMES frames; a pixel every
// CLOCKS_PER_PIXEL clocks (the pattern's enable from a divider, as a board's pixel enable). The
// cocotb testbench is test_vga_test_pattern.py; the timing parameters come from
// starsweeper/model/vga.py through tests/test_vga_rtl.py.
module vga_bench #(
    parameter H_VISIBLE = 640,
    parameter V_VISIBLE = 480,
    parameter H_BACK = 48,
    parameter V_BACK = 33,
    parameter CLOCKS_PER_PIXEL = 1,
    parameter FRAMES = 2
) (
    input clk,
    input rst,
    output done
);
  wire [2:0] red, green;
  wire [1:0] blue;
  wire hsync_n, vsync_n, active;
  wire [31:0] captured;
  // The pixel enable: high one clock in CLOCKS_PER_PIXEL (always, for one).
  reg [7:0] divider = 8'd0;
  wire enable = divider == CLOCKS_PER_PIXEL - 1;
  always @(posedge clk)
    divider <= (rst || enable) ? 8'd0 : divider + 8'd1;

  vga_test_pattern dut(
      .clk(clk), .rst(rst), .enable(enable), .vga__red(red), .vga__green(green), .vga__blue(blue),
      .vga__hsync_n(hsync_n), .vga__vsync_n(vsync_n), .vga__active(active));

  vga_capture #(
      .H_VISIBLE(H_VISIBLE), .V_VISIBLE(V_VISIBLE), .H_BACK(H_BACK), .V_BACK(V_BACK),
      .CLOCKS_PER_PIXEL(CLOCKS_PER_PIXEL), .FRAMES(FRAMES)
  ) monitor(
      .clk(clk), .red(red), .green(green), .blue(blue), .hsync_n(hsync_n), .vsync_n(vsync_n),
      .active(active), .arm(1'b1), .captured(captured), .done(done));
endmodule
