// A bench for hdl/ulx3s_minesweeper.v under Icarus (tests/test_ulx3s_top.py): the board's
// 25 MHz oscillator, the buttons and DIP switches held low, and a DVI receiver on the GPDI
// pins that knows only the link: it samples each lane in the middle of every bit (ten a pixel
// clock, the PLL stand-in's bit edges being whole multiples of BIT_NS from the oscillator's),
// cuts the bits into symbols where the clock lane rises (its symbol is 0000011111, bit 0 first)
// and writes each pixel clock's three symbols, as hex, to SYMBOL_FILE, until SYMBOLS are written.
`timescale 1ns/1ps
module ulx3s_bench;
  parameter SYMBOLS = 1000;
  parameter SYMBOL_FILE = "gpdi_symbols.txt";
  localparam real CLOCK_NS = 40.0;
  localparam real BIT_NS = CLOCK_NS / 10.0;

  reg clk25 = 1'b0;
  always #(CLOCK_NS / 2) clk25 = ~clk25;

  wire [2:0] data;
  wire clock_lane;
  wire [7:0] leds;
  ulx3s_minesweeper dut(
    .clk25_0__io(clk25),
    .button_fire_0__io(1'b0), .button_up_0__io(1'b0), .button_down_0__io(1'b0),
    .button_left_0__io(1'b0), .button_right_0__io(1'b0),
    .switch_0__io(1'b0), .switch_1__io(1'b0), .switch_2__io(1'b0), .switch_3__io(1'b0),
    .led_0__io(leds[0]), .led_1__io(leds[1]), .led_2__io(leds[2]), .led_3__io(leds[3]),
    .led_4__io(leds[4]), .led_5__io(leds[5]), .led_6__io(leds[6]), .led_7__io(leds[7]),
    .hdmi_0__d__p(data), .hdmi_0__clk__p(clock_lane));

  reg [9:0] lane0 = 0, lane1 = 0, lane2 = 0, clock_bits = 0;
  integer file, written;
  initial begin
    file = $fopen(SYMBOL_FILE, "w");
    written = 0;
    #(BIT_NS / 2);
    forever begin
      // The newest bit enters at the top: after ten bits, bit 0 of a symbol is bit 0 here.
      lane0 = {data[0], lane0[9:1]};
      lane1 = {data[1], lane1[9:1]};
      lane2 = {data[2], lane2[9:1]};
      clock_bits = {clock_lane, clock_bits[9:1]};
      if (clock_bits == 10'b0000011111 && data !== 3'bxxx) begin
        $fwrite(file, "%03x %03x %03x\n", lane0, lane1, lane2);
        written = written + 1;
        if (written == SYMBOLS) begin
          $fclose(file);
          $finish;
        end
      end
      #(BIT_NS);
    end
  end
endmodule
