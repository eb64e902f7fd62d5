"""Text drawing shared by the TUI and the CLI: braille rasters, round axis ticks, and each
task's colour and mark."""
