"""The scripted assistant of the host-written row: a record from the brief's text alone is accepted as it stands."""

import asyncio

from dataclaw_tailor.core import Intent
from dataclaw_tailor.evals.hosted import anchors_from_brief, source_from_brief, write_from_brief
from dataclaw_tailor.service import Settings, TailorService

from ..conftest import EXAMPLES

TRACE = EXAMPLES / "gui" / "login-trace"
INTENT = "turn this screen recording into GUI-agent SFT steps"


def test_a_record_copied_from_the_brief_is_accepted_and_matches_the_rules_backend(tmp_path):
    service = TailorService(Settings(state_dir=tmp_path))

    async def go():
        brief = await service.brief(TRACE, Intent(text=INTENT))
        record = write_from_brief(brief.prompt, brief.task, str(TRACE), INTENT)
        return brief, await service.submit(brief.thread_id, record), await service.tailor(TRACE, INTENT)

    brief, submitted, tailored = asyncio.run(go())
    assert [a.id for a in anchors_from_brief(brief.prompt)] == brief.anchor_ids
    assert source_from_brief(brief.prompt, str(TRACE)).meta.to_json() == {"duration_s": 7.5, "width": 800, "height": 600, "n_steps": 6}
    assert submitted.accepted, submitted.errors
    assert submitted.envelope.validation.valid and submitted.envelope.provenance.backend == "host"
    assert [s["action"] for s in submitted.record["steps"]] == [s["action"] for s in tailored.record["steps"]]
