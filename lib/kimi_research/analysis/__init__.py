"""Analysis layer: one module per question; functions return frames and dataclasses."""
