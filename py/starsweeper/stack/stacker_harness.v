// The harness of `starsweeper stack --engine rtl` (starsweeper/stack/rtl.py): streams a file of
// payloads through a stacker core and writes every output payload to another file.
//
// The core is the module named by the macro DUT (iverilog -DDUT=star_trail_stacker_8, or
// calibrated_stacker_8 with the dark-frame stage in front), with the stream ports Amaranth gives
// it (i__valid/ready/payload in, o__valid/ready/payload out) and its attenuation. The input
// is always valid while it lasts and the output always ready. Each line of the input file is
// one input payload in hex (the accumulators, the pixel and, for the calibrated stacker, its
// dark, packed by rtl.py from the core's own data layouts); each line of the output file one
// output payload.
//
// Plusargs: +in=FILE +out=FILE +count=N (payloads) +attenuation=HEX (the fixed-point
// attenuation, ATTEN_WIDTH bits). The widths are parameters (iverilog -P).
`timescale 1ns/1ps
`ifndef DUT
`define DUT star_trail_stacker_8
`endif
module stacker_harness #(
    parameter IN_WIDTH = 78,
    parameter OUT_WIDTH = 78,
    parameter ATTEN_WIDTH = 19
);
  reg clk = 1'b0;
  reg rst = 1'b1;
  reg [ATTEN_WIDTH-1:0] attenuation = 0;
  reg i_valid = 1'b0;
  reg [IN_WIDTH-1:0] i_payload = 0;
  reg [IN_WIDTH-1:0] next_payload = 0;
  wire i_ready;
  wire o_valid;
  wire [OUT_WIDTH-1:0] o_payload;
  reg [8*1024-1:0] in_name;
  reg [8*1024-1:0] out_name;
  integer fin, fout, count, n_in, n_out, status;

  `DUT dut (
    .clk(clk), .rst(rst), .attenuation(attenuation),
    .i__valid(i_valid), .i__ready(i_ready), .i__payload(i_payload),
    .o__valid(o_valid), .o__ready(1'b1), .o__payload(o_payload)
  );

  always #5 clk = ~clk;

  task read_next;
    begin
      status = $fscanf(fin, "%h\n", next_payload);
      if (status != 1) begin
        $display("harness: input ends after %0d payloads", n_in);
        $finish;
      end
    end
  endtask

  initial begin
    if (!$value$plusargs("in=%s", in_name) || !$value$plusargs("out=%s", out_name) ||
        !$value$plusargs("count=%d", count) || !$value$plusargs("attenuation=%h", attenuation)) begin
      $display("harness: needs +in= +out= +count= +attenuation=");
      $finish;
    end
    fin = $fopen(in_name, "r");
    fout = $fopen(out_name, "w");
    n_in = 0;
    n_out = 0;
    @(posedge clk);
    @(posedge clk);
    #1 rst = 1'b0;
    read_next;
    i_payload = next_payload;
    i_valid = 1'b1;
  end

  always @(posedge clk) if (!rst) begin
    if (i_valid && i_ready) begin
      n_in = n_in + 1;
      if (n_in < count) begin
        read_next;
        i_payload <= next_payload;
      end else
        i_valid <= 1'b0;
    end
    if (o_valid) begin
      $fwrite(fout, "%h\n", o_payload);
      n_out = n_out + 1;
      if (n_out == count) begin
        $fclose(fout);
        $finish;
      end
    end
  end
endmodule
