"""What lineage tells the auditor, against moto, pinned where a mutation of ``delivery/lineage.py``
once went unnoticed:

- ``promote status`` shows the lineage keys in their documented order, nothing else the package
  records, and says in words when a version records none;
- a version whose package cannot be read names the package and the error code;
- ``dataset_versions`` reads only the data's prefix, every page of it, newest version first and
  only versions of the entry's size; it finds a version under a delete marker, a whole object
  larger than one read, data at the bucket's root, and nothing (not a crash) where no version is
  left.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from components.training.definition import MLFLOW_RUN_ID_KEY
from delivery.lineage import UnreadableVersions, dataset_versions, version_lineage
from delivery.promote import main
from tests.conftest import stack_path
from tests.delivery.conftest import DATA_BUCKET, Cloud
from tests.delivery.test_glue_semantics import PREFIX, _manifest, _put
from tests.delivery.test_promote import GROUP, _register, _serve

TRAINED_ON = b"customer_id,churned\n1,0\n"


@pytest.fixture
def s3_calls(datasets: Any) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """The S3 requests ``datasets`` makes during the test (operation, parameters)."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], event_name: str, **_: Any) -> None:
        calls.append((event_name.rsplit(".", 1)[-1], dict(params)))

    # The client lives for the session: the handler must not outlive the test.
    datasets.meta.events.register("provide-client-params.s3", record, unique_id="lineage-s3-calls")
    yield calls
    datasets.meta.events.unregister("provide-client-params.s3", unique_id="lineage-s3-calls")


@pytest.fixture
def s3_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Moves moto's S3 clock a second on: S3 (and moto) list LastModified in whole seconds, and a
    version made after the call is a second newer than one made before, as after a real second's
    sleep (which it replaces: the test's wall time, nothing moto or the code under test sees)."""
    import moto.s3.models

    now = moto.s3.models.utcnow
    offset = datetime.timedelta()

    def moved() -> datetime.datetime:
        return now() + offset

    def tick() -> None:
        nonlocal offset
        offset += datetime.timedelta(seconds=1)

    monkeypatch.setattr(moto.s3.models, "utcnow", moved)
    return tick


def _reads(calls: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [params["VersionId"] for operation, params in calls if operation == "GetObject"]


# promote status.


def test_status_shows_the_lineage_keys_in_order_and_says_when_there_are_none(cloud: Cloud, capsys) -> None:
    sagemaker = cloud.clients.sagemaker
    sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    deployed = _register(cloud, "Approved")  # registered before lineage: records none
    _serve(cloud, deployed)
    newer = sagemaker.create_model_package(
        ModelPackageGroupName=GROUP,
        ModelApprovalStatus="Approved",
        # Registered in another order, with a key lineage does not show.
        CustomerMetadataProperties={
            MLFLOW_RUN_ID_KEY: "3b5c2f0e9a8d4c7b8e1f2a3b4c5d6e7f",
            "team": "churn",
            "training_data_uri": f"s3://{DATA_BUCKET}/{PREFIX}/",
            "platform_commit": "0123456789abcdef0123456789abcdef01234567",
        },
        InferenceSpecification={
            "Containers": [{"Image": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/churn:2"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]

    code = main(["status", "--stack-file", str(stack_path("staging"))], sagemaker=sagemaker)
    out = capsys.readouterr().out.splitlines()

    assert code == 0
    start = out.index(f"  lineage of {deployed}:")
    assert out[start:] == [
        f"  lineage of {deployed}:",
        "    lineage: none recorded (registered before lineage, or not by the training pipeline)",
        f"  lineage of {newer}:",
        "    platform_commit:   0123456789abcdef0123456789abcdef01234567",
        f"    training_data_uri: s3://{DATA_BUCKET}/{PREFIX}/",
        "    mlflow_run_id:     3b5c2f0e9a8d4c7b8e1f2a3b4c5d6e7f",
    ]


def test_an_unreadable_package_is_named_with_the_error_code(cloud: Cloud) -> None:
    arn = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/staging-customer-churn/99"

    assert version_lineage(cloud.clients.sagemaker, arn) == [
        ("unreadable", f"ValidationException: DescribeModelPackage of {arn} failed")
    ]


# The S3 versions of the training data.


def test_the_newest_version_of_the_content_is_found_reading_only_the_prefix_and_that_size(
    datasets, s3_calls, s3_clock
) -> None:
    _put(datasets, "extract.csv", TRAINED_ON)
    s3_clock()  # S3 (and moto) list LastModified in whole seconds
    again = _put(datasets, "extract.csv", TRAINED_ON)  # the same content, uploaded again
    _put(datasets, "extract.csv", b"customer_id,churned\n1,0\n2,1\n")  # current: another size
    s3_calls.clear()

    found = dataset_versions(datasets, f"s3://{DATA_BUCKET}/{PREFIX}", _manifest(("extract.csv", TRAINED_ON)))

    assert found == {"extract.csv": again}
    assert [params for operation, params in s3_calls if operation == "ListObjectVersions"] == [
        {"Bucket": DATA_BUCKET, "Prefix": f"{PREFIX}/"}
    ]
    assert _reads(s3_calls) == [again], "the current version has another size: it is not read"


def test_every_page_of_versions_is_read(datasets) -> None:
    """S3 returns at most 1,000 versions a page, and may return fewer: here one a page."""

    def one_a_page(params: dict[str, Any], **_: Any) -> None:
        params["MaxKeys"] = 1

    datasets.meta.events.register(
        "provide-client-params.s3.ListObjectVersions", one_a_page, unique_id="lineage-one-a-page"
    )
    try:
        versions = {
            key: _put(datasets, key, TRAINED_ON + key.encode()) for key in ("a.csv", "b.csv", "c.csv")
        }
        manifest = _manifest(*((key, TRAINED_ON + key.encode()) for key in versions))

        assert dataset_versions(datasets, f"s3://{DATA_BUCKET}/{PREFIX}/", manifest) == versions
    finally:
        datasets.meta.events.unregister(
            "provide-client-params.s3.ListObjectVersions", unique_id="lineage-one-a-page"
        )


def test_a_deleted_object_is_found_under_its_delete_marker(datasets, s3_clock) -> None:
    trained = _put(datasets, "extract.csv", TRAINED_ON)
    s3_clock()  # the marker newer than the version, as it is in S3
    datasets.delete_object(Bucket=DATA_BUCKET, Key=f"{PREFIX}/extract.csv")  # a delete marker on top

    assert dataset_versions(
        datasets, f"s3://{DATA_BUCKET}/{PREFIX}/", _manifest(("extract.csv", TRAINED_ON))
    ) == {"extract.csv": trained}


def test_an_object_larger_than_one_read_is_hashed_whole(datasets) -> None:
    body = b"x" * (1 << 20) + b"tail"  # one MiB is one read: the hash needs the tail too
    trained = _put(datasets, "extract.csv", body)

    assert dataset_versions(datasets, f"s3://{DATA_BUCKET}/{PREFIX}/", _manifest(("extract.csv", body))) == {
        "extract.csv": trained
    }


@pytest.mark.parametrize("uri", [f"s3://{DATA_BUCKET}", f"s3://{DATA_BUCKET}/"])
def test_data_at_the_buckets_root_is_found(datasets, uri) -> None:
    trained = datasets.put_object(Bucket=DATA_BUCKET, Key="extract.csv", Body=TRAINED_ON)["VersionId"]

    assert dataset_versions(datasets, uri, _manifest(("extract.csv", TRAINED_ON))) == {"extract.csv": trained}


def test_a_prefix_without_any_version_left_matches_nothing(datasets) -> None:
    _put(datasets, "other.csv", TRAINED_ON)  # the bucket is not empty; the data's prefix is

    assert dataset_versions(
        datasets, f"s3://{DATA_BUCKET}/training-data/expired/", _manifest(("extract.csv", TRAINED_ON))
    ) == {"extract.csv": None}


# Versions S3 will not return: archived (S3 Glacier Flexible Retrieval, Deep Archive) or denied.


def _archived(s3: Any, key: str, body: bytes) -> str:
    """A version in S3 Glacier Flexible Retrieval: listed, but GetObject answers InvalidObjectState."""
    return s3.put_object(Bucket=DATA_BUCKET, Key=f"{PREFIX}/{key}", Body=body, StorageClass="GLACIER")[
        "VersionId"
    ]


@pytest.fixture
def get_object_answers(datasets: Any) -> Iterator[dict[str, str]]:
    """Version id → the error code GetObject answers for it (the rest read as usual)."""
    answers: dict[str, str] = {}

    class Response:
        status_code = 403

    def answer(params: dict[str, Any], **_: Any) -> tuple[Response, dict[str, Any]] | None:
        # before-call sees the serialized request: the version id is in its query string.
        code = answers.get((params.get("query_string") or {}).get("versionId", ""))
        return None if code is None else (Response(), {"Error": {"Code": code, "Message": code}})

    datasets.meta.events.register("before-call.s3.GetObject", answer, unique_id="lineage-get-answers")
    yield answers
    datasets.meta.events.unregister("before-call.s3.GetObject", unique_id="lineage-get-answers")


def test_an_archived_newer_version_is_passed_over_for_the_older_one_that_matches(
    datasets, s3_calls, s3_clock
) -> None:
    trained = _put(datasets, "kept.csv", TRAINED_ON)
    s3_clock()  # LastModified in whole seconds: the archived version is the newer
    archived = _archived(datasets, "kept.csv", TRAINED_ON.replace(b"0", b"1"))  # same size
    s3_calls.clear()

    assert dataset_versions(
        datasets, f"s3://{DATA_BUCKET}/{PREFIX}/", _manifest(("kept.csv", TRAINED_ON))
    ) == {"kept.csv": trained}
    assert _reads(s3_calls) == [archived, trained]


def test_when_only_an_unreadable_version_could_be_the_data_the_answer_is_undecided_not_none(datasets) -> None:
    archived = _archived(datasets, "cold.csv", TRAINED_ON)
    readable = _put(datasets, "warm.csv", TRAINED_ON)
    _put(datasets, "cold.csv", TRAINED_ON + b"3,1\n")  # current: another size, not read

    with pytest.raises(UnreadableVersions) as raised:
        dataset_versions(
            datasets,
            f"s3://{DATA_BUCKET}/{PREFIX}",
            _manifest(("cold.csv", TRAINED_ON), ("warm.csv", TRAINED_ON)),
        )

    assert raised.value.found == {"cold.csv": None, "warm.csv": readable}
    assert raised.value.unreadable == {"cold.csv": [(archived, "InvalidObjectState")]}
    message = str(raised.value)
    assert f"cold.csv: version {archived} (InvalidObjectState)" in message
    assert "warm.csv" not in message and "restore-object" in message


def test_an_archived_version_of_another_size_is_neither_read_nor_in_doubt(datasets, s3_calls) -> None:
    _archived(datasets, "sized.csv", TRAINED_ON + b"2,1\n")
    s3_calls.clear()

    assert dataset_versions(
        datasets, f"s3://{DATA_BUCKET}/{PREFIX}/", _manifest(("sized.csv", TRAINED_ON))
    ) == {"sized.csv": None}
    assert _reads(s3_calls) == []


def test_a_denied_version_leaves_its_key_undecided(datasets, get_object_answers) -> None:
    denied = _put(datasets, "denied.csv", TRAINED_ON)
    get_object_answers[denied] = "AccessDenied"

    with pytest.raises(UnreadableVersions) as raised:
        dataset_versions(datasets, f"s3://{DATA_BUCKET}/{PREFIX}/", _manifest(("denied.csv", TRAINED_ON)))

    assert raised.value.unreadable == {"denied.csv": [(denied, "AccessDenied")]}


def test_a_version_that_expired_after_the_listing_is_gone_not_in_doubt(datasets, get_object_answers) -> None:
    expired = _put(datasets, "expired.csv", TRAINED_ON)
    get_object_answers[expired] = "NoSuchVersion"

    assert dataset_versions(
        datasets, f"s3://{DATA_BUCKET}/{PREFIX}/", _manifest(("expired.csv", TRAINED_ON))
    ) == {"expired.csv": None}


def test_a_key_whose_every_version_expired_after_the_listing_is_gone_not_in_doubt(
    datasets, get_object_answers
) -> None:
    """GetObject of a version answers NoSuchKey once no version of the key is left."""
    expired = _put(datasets, "all-expired.csv", TRAINED_ON)
    get_object_answers[expired] = "NoSuchKey"

    assert dataset_versions(
        datasets, f"s3://{DATA_BUCKET}/{PREFIX}/", _manifest(("all-expired.csv", TRAINED_ON))
    ) == {"all-expired.csv": None}


def test_any_other_error_is_raised_as_it_came(datasets, get_object_answers) -> None:
    failing = _put(datasets, "failing.csv", TRAINED_ON)
    get_object_answers[failing] = "InternalError"

    with pytest.raises(ClientError) as raised:
        dataset_versions(datasets, f"s3://{DATA_BUCKET}/{PREFIX}/", _manifest(("failing.csv", TRAINED_ON)))

    assert raised.value.response["Error"]["Code"] == "InternalError"
