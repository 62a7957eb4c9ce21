"""Refinement in the service: a follow-up on a finished thread makes a new version, every version kept."""

import asyncio
import copy
import json

import pytest

from dataclaw_tailor.core import DataClawError, Intent
from dataclaw_tailor.evals.hosted import write_from_brief
from dataclaw_tailor.service import Settings, TailorService

from ..model.test_openai import reply, scripted  # noqa: F401  (the loopback stand-in for a remote model server)
from .test_tailoring import FUZZY, TRACE, VIDEO

INTENT = "dense captions for this video"


def test_rules_refinement_filters_by_span_and_keeps_both_versions(tmp_path):
    service = TailorService(Settings(state_dir=tmp_path))

    async def go():
        first = await service.tailor(VIDEO, INTENT)
        refined = await service.refine(first.thread_id, "only 3-6 s")
        return first, refined, await service.threads.read(first.thread_id)

    first, refined, saved = asyncio.run(go())
    assert refined.version == 2 and refined.applied == ["kept the items overlapping 3.0-6.0 s"] and not refined.not_applied
    events = refined.envelope.record["events"]
    assert [e["start_s"] for e in events] == [0.0, 3.0, 6.0] and len(first.record["events"]) == 4
    assert refined.envelope.validation.valid and refined.envelope.validation.grounded
    assert [v["record"] for v in saved["versions"]] == [first.record, refined.envelope.record]
    assert saved["versions"][1]["request"] == "only 3-6 s" and saved["versions"][1]["backend"] == "rules"


def test_rules_refinement_drops_optional_fields_and_refuses_required_ones(tmp_path):
    service = TailorService(Settings(state_dir=tmp_path))

    async def go():
        first = await service.tailor(TRACE, "turn this screen recording into GUI-agent SFT steps")
        return first, await service.refine(first.thread_id, "at most 3 steps, drop the thought, remove steps")

    first, refined = asyncio.run(go())
    assert len(first.record["steps"]) == 6 and len(refined.envelope.record["steps"]) == 3 and refined.envelope.validation.valid
    assert "kept at most 3 items in steps" in refined.applied
    assert any("'steps': the task's schema requires it" in n for n in refined.not_applied)


def test_refining_an_unfinished_thread_is_a_clear_error(tmp_path):
    service = TailorService(Settings(state_dir=tmp_path))

    async def go():
        waiting = await service.tailor(VIDEO, FUZZY)
        with pytest.raises(DataClawError, match="no finished record to refine"):
            await service.refine(waiting.thread_id, "shorter")
        briefed = await service.brief(VIDEO, INTENT)
        with pytest.raises(DataClawError, match="no finished record to refine"):
            await service.refine(briefed.thread_id, "shorter")
        with pytest.raises(DataClawError, match="unknown thread"):
            await service.refine("f" * 32, "shorter")

    asyncio.run(go())


def test_openai_refinement_sends_the_previous_record_and_the_request(tmp_path, scripted):  # noqa: F811
    probe = TailorService(Settings(state_dir=tmp_path / "probe"))
    brief = asyncio.run(probe.brief(VIDEO, Intent(text=INTENT, language="zh")))
    good = write_from_brief(brief.prompt, brief.task, str(VIDEO), INTENT)
    shorter = copy.deepcopy(good)
    shorter["events"] = shorter["events"][:2]
    server = scripted([reply(json.dumps(good)), reply(json.dumps(shorter))])
    service = TailorService(Settings(backend="openai", backend_options={"base_url": server.url, "model": "m"}, state_dir=tmp_path))

    async def go():
        first = await service.tailor(VIDEO, Intent(text=INTENT, language="zh"))
        refined = await service.refine(first.thread_id, "only the first two events")
        await service.aclose()
        return first, refined, await service.threads.read(first.thread_id)

    first, refined, saved = asyncio.run(go())
    assert first.record == good and refined.envelope.record == shorter and refined.envelope.validation.valid
    assert refined.version == 2 and refined.applied == ["only the first two events"] and len(saved["versions"]) == 2
    asked = server.requests[-1]["body"]["messages"]
    assert json.loads(asked[-2]["content"]) == good and "only the first two events" in asked[-1]["content"]
    user = json.dumps(asked[1]["content"])
    assert "Language: zh" in user
    assert refined.envelope.provenance.backend == "openai" and refined.envelope.provenance.model_id == "m"
