"""Session 66 mutation audit: the refusing session's client cache, what earlier tests left unpinned.

One ``_RefusingSession`` of its own (not the module's per-region one): a client or resource is reused
only when asked for with the same options and under the same botocore loader.
"""

from __future__ import annotations

import botocore.config
import botocore.loaders

from components.training import _offline_sdk


def test_clients_are_reused_only_under_the_same_options_environment_and_loader(monkeypatch) -> None:
    session = _offline_sdk._RefusingSession("eu-west-2")
    slow, fast = (botocore.config.Config(read_timeout=t) for t in (60, 5))
    first = session.client("s3", config=slow)
    other = session.client("s3", config=fast)
    # A Config with other options is another client, made with them.
    assert (other is not first, other.meta.config.read_timeout) == (True, 5)
    assert session.client("s3", config=botocore.config.Config(read_timeout=60)) is first
    resource = session.resource("s3")
    assert session.resource("s3") is resource
    # Another proxy: a client of its own, through it.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    proxied = session.client("s3", config=slow)
    assert proxied is not first
    # Another loader (models added or replaced): nothing made under the old one is handed out.
    session._session.register_component("data_loader", botocore.loaders.create_loader())
    assert session.client("s3", config=slow) is not proxied
    assert session.resource("s3") is not resource
