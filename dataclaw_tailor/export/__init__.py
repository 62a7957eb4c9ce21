"""Tailored records -> supervised fine-tuning sets (OpenAI chat, ShareGPT/LLaMA-Factory, TRL, HF parquet).

Input is JSONL of tailoring envelopes (`envelopes`); each valid record unrolls into conversations
(`units`), which are written as chat JSONL (`chat`) or a Hugging Face dataset folder (`hf`). Records
become conversations so that downstream fine-tuning can train on them directly.
"""

from ..core.lazy import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {".formats": ["ExportFormat", "ExportSummary", "Skipped"], ".run": ["export_records"]})
