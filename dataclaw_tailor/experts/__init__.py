"""Domain experts: task schemas, routing and the rules synthesisers (see dataclaw_tailor/experts/README.md)."""
