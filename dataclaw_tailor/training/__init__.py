"""Training a tailoring model: triplet construction, SFT, GRPO rewards, scoring.

See dataclaw_tailor/training/README.md.
"""
