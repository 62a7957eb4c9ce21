"""DataClaw-val-style evaluation: metrics, benchmark runner, reports, and exports to fine-tuning formats."""
