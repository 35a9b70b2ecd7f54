// A VGA monitor for simulations: rebuilds frames from the colour and sync pins alone.
//
// Like a real monitor it knows only the VESA numbers (the parameters, which the benches set
// from starsweeper/model/vga.py): active video starts H_BACK pixels after each horizontal sync
// pulse ends, and the first visible line starts V_BACK lines after the vertical sync pulse
// ends. It never looks at the design's counters. It samples the pins every clock; with
// CLOCKS_PER_PIXEL above 1 (a pixel enable), sync widths and periods are that many times
// longer and each pixel is sampled in the middle of its clocks.
//
// It writes two text files in the simulation's folder: every sync pulse's width and period
// (SYNC_FILE: "HP", "HW", "VP", "VW" and a number of clocks a line), and every captured frame
// as RGB332 hex, a line of pixels a line (FRAME_FILE); sim/vga_capture.py reads and checks them.
// It also checks the `active` output (data enable, which a DVI transmitter takes) against the
// window it rebuilt from the syncs, every clock from the first vertical sync pulse's end on:
// each captured frame's line in SYNC_FILE, "AE n", counts the clocks it was wrong so far.
// A frame is captured when `arm` is high as it begins (at the end of the vertical sync pulse);
// each captured frame is flushed to the file before `captured` counts it, and after FRAMES of
// them the monitor stops (`done`).
module vga_capture #(
    parameter H_VISIBLE = 640,
    parameter V_VISIBLE = 480,
    parameter H_BACK = 48,
    parameter V_BACK = 33,
    parameter CLOCKS_PER_PIXEL = 1,
    parameter FRAMES = 1,
    parameter SYNC_FILE = "vga_sync.txt",
    parameter FRAME_FILE = "vga_frames.txt"
) (
    input clk,
    input [2:0] red,
    input [2:0] green,
    input [1:0] blue,
    input hsync_n,
    input vsync_n,
    input active,
    input arm,
    output reg [31:0] captured,
    output reg done
);
  localparam HALF = CLOCKS_PER_PIXEL / 2;
  integer sync_file, frame_file;
  integer now, h_fall, v_fall, line_count, active_start, row;
  integer lines, active_errors;      // line starts since the last vertical sync pulse's end
  reg hs_q, vs_q, in_window;

  initial begin
    sync_file = $fopen(SYNC_FILE, "w");
    frame_file = $fopen(FRAME_FILE, "w");
    now = 0; h_fall = -1; v_fall = -1; line_count = -1; active_start = -1; row = -1;
    lines = -1; active_errors = 0;
    captured = 0; hs_q = 1'b1; vs_q = 1'b1; done = 1'b0;
  end

  always @(posedge clk) if (!done) begin
    now = now + 1;
    // Sync pulses: period between falling edges, width from falling to rising edge.
    if (hs_q && !hsync_n) begin
      if (h_fall >= 0) $fwrite(sync_file, "HP %0d\n", now - h_fall);
      h_fall = now;
    end
    if (!hs_q && hsync_n && h_fall >= 0) begin
      $fwrite(sync_file, "HW %0d\n", now - h_fall);
      active_start = now + H_BACK * CLOCKS_PER_PIXEL;
    end
    if (vs_q && !vsync_n) begin
      if (v_fall >= 0) $fwrite(sync_file, "VP %0d\n", now - v_fall);
      v_fall = now;
    end
    if (!vs_q && vsync_n && v_fall >= 0) begin
      $fwrite(sync_file, "VW %0d\n", now - v_fall);
      $fflush(sync_file);
      line_count = arm ? 0 : -1;
      lines = 0;
    end
    hs_q = hsync_n;
    vs_q = vsync_n;
    // Active video: a line starts H_BACK pixels after hsync ends. Line starts are counted from
    // the one at (or just after) the end of vsync: that line is the first of the V_BACK
    // back-porch lines, so the first visible line is start number V_BACK + 1.
    if (now == active_start && lines >= 0)
      lines = lines + 1;
    // The data enable's window: the visible lines' active video, in clocks.
    in_window = lines >= V_BACK + 1 && lines <= V_BACK + V_VISIBLE
                && now >= active_start && now < active_start + H_VISIBLE * CLOCKS_PER_PIXEL;
    if (lines >= 0 && active !== in_window)
      active_errors = active_errors + 1;
    if (now == active_start && line_count >= 0) begin
      line_count = line_count + 1;
      row = line_count - V_BACK - 1;
      if (row < 0 || row >= V_VISIBLE) row = -1;
    end
    if (row >= 0 && now >= active_start && now < active_start + H_VISIBLE * CLOCKS_PER_PIXEL
        && (now - active_start) % CLOCKS_PER_PIXEL == HALF) begin
      $fwrite(frame_file, "%02x", {red, green, blue});
      if (now == active_start + (H_VISIBLE - 1) * CLOCKS_PER_PIXEL + HALF) begin
        $fwrite(frame_file, "\n");
        if (row == V_VISIBLE - 1) begin
          $fflush(frame_file);
          $fwrite(sync_file, "AE %0d\n", active_errors);
          $fflush(sync_file);
          captured = captured + 1;
          if (captured == FRAMES) begin
            $fclose(frame_file);
            $fclose(sync_file);
            done = 1'b1;
          end
        end
        row = -1;
      end
    end
  end
endmodule
