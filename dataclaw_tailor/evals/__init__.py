"""DataClaw-val-style evaluation: metrics, benchmark runner and reports."""
