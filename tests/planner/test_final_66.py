"""Session 66, final read: a pack config whose note covers every exemption is not refused.

``bin/plan`` reads ``policies/<environment>.json`` (``registry.load_pack_config``) and ``pulumi
preview --policy-pack policies`` configures ``policies.analyzer.PackAnalyzer``: both refuse an entry
of ``public-access-switches-kept-on.publicByDesign`` that ``public-by-design-noted`` would not note
(``public_switches.unnoted_exemptions``). That check compared entries whole, so an exemption the note
does cover was refused as "exempted without a note": a rule entry narrowed to one ``type`` beside a
note entry for the same resource of any type, or the same resource with another wording of its
reason (the note reports its own). A note entry narrower than the exemption is still refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2 as pb

from policies.registry import PackConfigError, load_pack_config
from tests.policies.test_pack_analyzer_66 import Context, configure, reported

RULE = "public-access-switches-kept-on"
NOTE = "public-by-design-noted"
APP_RUNNER = "aws:apprunner/service:Service"
ENTRY = {"resource": "public-api", "reason": "customer-facing API, WAF in front (ADR-12)"}
TYPED = {**ENTRY, "type": APP_RUNNER}


def _config(exempted: dict[str, Any], noted: dict[str, Any]) -> dict[str, Any]:
    return {RULE: {"publicByDesign": [exempted]}, NOTE: {"publicByDesign": [noted]}}


@pytest.mark.parametrize(
    ("exempted", "noted", "refused"),
    [
        pytest.param(TYPED, ENTRY, False, id="exemption-narrowed-by-type-note-of-any-type"),
        pytest.param(ENTRY, {**ENTRY, "reason": "public API (ADR-12)"}, False, id="note-with-its-own-reason"),
        pytest.param(ENTRY, TYPED, True, id="note-narrower-than-the-exemption-refused"),
        pytest.param(ENTRY, {**ENTRY, "resource": "public-api-2"}, True, id="another-resource-refused"),
    ],
)
def test_an_exemption_the_note_covers_is_accepted(
    tmp_path: Path, exempted: dict[str, Any], noted: dict[str, Any], refused: bool
) -> None:
    config = _config(exempted, noted)
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    if refused:
        with pytest.raises(PackConfigError) as error:
            load_pack_config(path)
        assert "exempted without a note" in dict(error.value.keyed())[f"{NOTE}.publicByDesign"]
        return
    load_pack_config(path)
    # Under the CLI too: served, the listed App Runner service noted, not refused.
    assert reported(configure(config, Context()), "public-api") == [(NOTE, pb.ADVISORY)]
