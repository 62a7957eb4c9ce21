"""Every task schema compiles to an xgrammar grammar that accepts the task's example record.

The local backend decodes under these grammars, so a schema xgrammar cannot compile, or a grammar
that rejects a valid record, would break constrained decoding for that task.
"""

import json

import pytest

from dataclaw_tailor.experts.registry import list_tasks

from .support import EXAMPLE_SCHEMA

xgr = pytest.importorskip("xgrammar")


@pytest.fixture(scope="module")
def compiler():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    corpus = [json.dumps(t.example) for t in list_tasks()]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=800, special_tokens=["<|im_start|>", "<|im_end|>", "<|pad|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator(corpus * 4, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|pad|>")
    return xgr.GrammarCompiler(xgr.TokenizerInfo.from_huggingface(fast, vocab_size=len(fast)))


@pytest.mark.parametrize("task", list_tasks(), ids=lambda t: t.name)
def test_schema_compiles_and_accepts_the_example(compiler, task):
    schema = task.json_schema(EXAMPLE_SCHEMA if task.model is None else None)
    grammar = compiler.compile_json_schema(json.dumps(schema), any_whitespace=False)
    matcher = xgr.GrammarMatcher(grammar)
    assert matcher.accept_string(json.dumps(task.example)), f"{task.name}: grammar rejects the example record"
    assert not xgr.GrammarMatcher(grammar).accept_string('{"unexpected": 1}')
