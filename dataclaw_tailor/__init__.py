"""DataClaw Tailor: agentic multimodal data tailoring.

Raw streams (videos, GUI traces, robot episodes, edit sequences) plus a user's intent become
grounded, schema-valid JSON training data. See README.md for use and ARCHITECTURE.md for the layers.
"""

__version__ = "0.1.0"
