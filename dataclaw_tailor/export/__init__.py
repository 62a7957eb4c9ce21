"""Tailored records -> supervised fine-tuning sets (OpenAI chat, ShareGPT/LLaMA-Factory, TRL, HF parquet).

Input is JSONL of tailoring envelopes (`envelopes`); each valid record unrolls into conversations
(`units`), which are written as chat JSONL (`chat`) or a Hugging Face dataset folder (`hf`). Records
become conversations so that downstream fine-tuning can train on them directly.
"""

from .run import ExportFormat, ExportSummary, Skipped, export_records

__all__ = ["ExportFormat", "ExportSummary", "Skipped", "export_records"]
