"""tests/aws_sessions.py: each ``mocked_aws`` is a fresh moto and a fresh default session; only
botocore's parsed service models are shared."""

from __future__ import annotations

import boto3

from tests.aws_sessions import fresh_session, mocked_aws


def test_each_block_has_its_own_state_and_session_and_shares_only_the_loader(monkeypatch) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    before = boto3.DEFAULT_SESSION
    seen = []
    for bucket in ("first-bucket", "second-bucket"):
        with mocked_aws("eu-west-1") as session:
            s3 = boto3.client("s3")
            assert s3.meta.region_name == "eu-west-1"
            assert s3.list_buckets()["Buckets"] == []  # nothing left by the block before
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
            seen.append(session)
        assert boto3.DEFAULT_SESSION is before

    first, second = (session._session for session in seen)
    assert first is not second
    assert first.get_component("data_loader") is second.get_component("data_loader")


def test_a_fresh_session_resolves_credentials_anew_and_shares_only_the_loader(monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "first")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    first = fresh_session("eu-west-1")
    assert first.get_credentials().access_key == "first"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "second")
    second = fresh_session()

    assert second.get_credentials().access_key == "second"
    assert first._session is not second._session and first.region_name == "eu-west-1"
    assert first._session.get_component("data_loader") is second._session.get_component("data_loader")


def test_kms_keys_share_one_key_pair_per_spec_and_keep_their_own_identity_and_material(monkeypatch) -> None:
    import moto.kms.models
    from moto.core import DEFAULT_ACCOUNT_ID

    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    unpatched = moto.kms.models.generate_private_key
    with mocked_aws("eu-west-1"):
        kms = boto3.client("kms")
        first, second = (kms.create_key(Description=name)["KeyMetadata"]["KeyId"] for name in ("a", "b"))
        backend = moto.kms.models.kms_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"]
        assert first != second
        assert backend.keys[first].private_key is backend.keys[second].private_key
        assert backend.keys[first].key_material != backend.keys[second].key_material
        blob = kms.encrypt(KeyId=first, Plaintext=b"data")["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob)["KeyId"].endswith(first)
        signing = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"]["KeyId"]
        signature = kms.sign(KeyId=signing, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
        assert kms.verify(
            KeyId=signing, Message=b"m", Signature=signature, SigningAlgorithm="RSASSA_PSS_SHA_256"
        )["SignatureValid"]
    assert moto.kms.models.generate_private_key is unpatched


def test_a_fresh_session_has_botocores_built_in_handlers_as_its_own_copy(monkeypatch) -> None:
    import botocore.session

    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    reference = botocore.session.get_session().get_component("event_emitter")
    first, second = (fresh_session("eu-west-1")._session.get_component("event_emitter") for _ in range(2))
    for event in (
        "before-send.s3.PutObject",  # moto's stubber
        "before-parameter-build.s3.PutObject",
        "before-call.sagemaker.CreateModel",
        "choose-signer.s3.PutObject",
        "needs-retry.sagemaker.CreateModel",
        "after-call.s3.ListObjects",
        "docs.request-example.s3.PutObject",
    ):
        expected = list(reference._emitter._handlers.prefix_search(event))
        assert list(first._emitter._handlers.prefix_search(event)) == expected, event
    assert len(list(reference._emitter._handlers.prefix_search("before-send.s3.PutObject"))) == 1

    def handler(**_: object) -> None:
        pass

    first.register("before-call.s3.ListBuckets", handler, unique_id="only-the-first")
    assert handler in first._emitter._handlers.prefix_search("before-call.s3.ListBuckets")
    assert handler not in second._emitter._handlers.prefix_search("before-call.s3.ListBuckets")
    with mocked_aws("eu-west-1"):
        assert boto3.client("s3").list_buckets()["Buckets"] == []  # moto answers, as before
