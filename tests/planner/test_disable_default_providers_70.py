"""The offline plan refuses what `pulumi up` refuses under ``pulumi:disable-default-providers``.

The engine gives a registration (resource, read, invoke) of a listed package (or of any, with
``*``) that names no explicit provider a "deny" default provider and fails it with "Default
provider for '<pkg>' disabled. '<urn or token>' must use an explicit provider." (pulumi/pulumi
pkg/resource/deploy/default_providers.go, source_eval.go; sdk/go/common/diag/errors.go). The plan
was green for such a program; now ``record_program`` fails the same way, and ``bin/plan`` exits 3
(no verdict) with the message and no plan on stdout. A malformed value is a stack-file error (2).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native
import pulumi_kubernetes as k8s
import pytest

from planner.__main__ import EXIT_FAILED, EXIT_INVALID_CONFIG, main
from planner.default_providers import DefaultProviderDenied, DefaultProviderGuard
from planner.recorder import ResourceGraph, record_program
from stacks.config import ConfigError
from stacks.default_providers import DISABLE_DEFAULT_PROVIDERS_KEY, disabled_default_providers
from stacks.input_limits import MAX_NESTING_DEPTH
from stacks.stack_file import read_stack_file
from stacks.stack_file_yaml import dump_stack_document
from tests.conftest import load_stack_document
from tests.log_records import log_records
from tests.stacks.project_folder import project_folder

SOURCE = "team/Pulumi.x.yaml"
BUCKET = "aws:s3/bucket:Bucket"


def record(program: Callable[[], None], disabled: Any = ("aws", "aws-native", "kubernetes")) -> ResourceGraph:
    config: dict[str, Any] = {"aws:region": "eu-west-1"}
    if disabled is not None:
        config[DISABLE_DEFAULT_PROVIDERS_KEY] = list(disabled) if isinstance(disabled, tuple) else disabled
    return record_program(program, config=config, source=SOURCE)


def refusal(program: Callable[[], None], disabled: Any = ("aws", "aws-native", "kubernetes")) -> str:
    with pytest.raises(DefaultProviderDenied) as denied:
        record(program, disabled)
    return str(denied.value)


class Team(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("team:storage:Team", name, None, opts)


def test_a_resource_without_a_provider_is_refused_as_the_engine_refuses_it() -> None:
    message = refusal(lambda: aws.s3.Bucket("data"))

    urn = "urn:pulumi:test::mlops-platform::pulumi:pulumi:Stack$aws:s3/bucket:Bucket::data"
    assert message.startswith(f"Default provider for 'aws' disabled. '{urn}' must use an explicit provider. ")
    # What to do: the type, the name, the package, the key and the stack file it is in.
    assert "resource aws:s3/bucket:Bucket 'data' names no aws provider" in message
    assert f"`pulumi:disable-default-providers` in {SOURCE} lists 'aws'" in message
    assert "pulumi.ResourceOptions(provider=...)" in message


def test_the_refusal_is_said_once() -> None:
    """The SDK fails each output of the refused resource with the refusal: none is logged as an
    unretrieved future's exception under the one error raised."""
    with log_records() as records:
        refusal(lambda: aws.s3.Bucket("data"))
        gc.collect()

    assert [record.getMessage() for record in records if "never retrieved" in record.getMessage()] == []


def test_a_resource_with_an_explicit_provider_is_planned() -> None:
    def program() -> None:
        provider = aws.Provider("main", region="eu-west-1")
        aws.s3.Bucket("data", opts=pulumi.ResourceOptions(provider=provider))

    graph = record(program)

    assert graph.named("data").provider is not None


def test_a_provider_inherited_from_a_parent_components_providers_is_explicit() -> None:
    def program() -> None:
        provider = aws.Provider("main", region="eu-west-1")
        outer = Team("outer", pulumi.ResourceOptions(providers=[provider]))
        inner = Team("inner", pulumi.ResourceOptions(parent=outer))  # inherits outer's, two levels down
        aws.s3.Bucket("data", opts=pulumi.ResourceOptions(parent=inner))

    graph = record(program)

    assert graph.named("data").provider.startswith(graph.named("main").urn)


def test_a_sibling_outside_the_component_is_still_refused() -> None:
    def program() -> None:
        provider = aws.Provider("main", region="eu-west-1")
        Team("outer", pulumi.ResourceOptions(providers=[provider]))
        aws.s3.Bucket("loose")  # not a child: the component's providers are not its

    assert "'loose' names no aws provider" in refusal(program)


def test_an_invoke_without_a_provider_is_refused() -> None:
    message = refusal(lambda: aws.get_region())

    assert message.startswith(
        "Default provider for 'aws' disabled. 'aws:index/getRegion:getRegion' must use an explicit provider. "
    )
    assert "invoke aws:index/getRegion:getRegion names no aws provider" in message
    assert "pulumi.InvokeOptions(provider=...)" in message


def test_an_invoke_with_a_provider_or_a_parents_is_answered() -> None:
    answers: list[Any] = []

    def program() -> None:
        provider = aws.Provider("main", region="eu-west-1")
        team = Team("team", pulumi.ResourceOptions(providers=[provider]))
        answers.append(aws.get_region(opts=pulumi.InvokeOptions(provider=provider)).region)
        answers.append(aws.get_region(opts=pulumi.InvokeOptions(parent=team)).region)

    record(program)

    assert answers == ["eu-west-1", "eu-west-1"]


def _aws_provider() -> aws.Provider:
    return aws.Provider("main", region="eu-west-1")


def _under_a_component_given(**options: Any) -> pulumi.ComponentResource:
    return Team("outer", pulumi.ResourceOptions(**options))


PLANNED_AS_BY_THE_ENGINE: dict[str, Callable[[], Any]] = {
    # The SDK sends a component's `provider=` in its `providers`: its children take it.
    "component-provider-singular": lambda: aws.s3.Bucket(
        "data", opts=pulumi.ResourceOptions(parent=_under_a_component_given(provider=_aws_provider()))
    ),
    "component-providers-dict": lambda: aws.s3.Bucket(
        "data",
        opts=pulumi.ResourceOptions(parent=_under_a_component_given(providers={"aws": _aws_provider()})),
    ),
    "invoke-output-with-a-parent": lambda: aws.get_region_output(
        opts=pulumi.InvokeOutputOptions(parent=_under_a_component_given(providers=[_aws_provider()]))
    ),
    "read-with-a-parent": lambda: aws.s3.Bucket.get(
        "existing",
        "bucket-id",
        opts=pulumi.ResourceOptions(parent=_under_a_component_given(providers=[_aws_provider()])),
    ),
}

REFUSED_AS_BY_THE_ENGINE: dict[str, Callable[[], Any]] = {
    "invoke-output": lambda: aws.get_region_output(),
    # A providers entry of another package is no provider of this one.
    "another-packages-provider-on-the-parent": lambda: aws.s3.Bucket(
        "data", opts=pulumi.ResourceOptions(parent=_under_a_component_given(providers=[k8s.Provider("k")]))
    ),
    # The SDK drops a `provider=` of another package: the engine then asks for the default one.
    "another-packages-provider-of-its-own": lambda: aws.s3.Bucket(
        "data", opts=pulumi.ResourceOptions(provider=k8s.Provider("k"))
    ),
    "a-dict-entry-under-another-name": lambda: aws.s3.Bucket(
        "data",
        opts=pulumi.ResourceOptions(parent=_under_a_component_given(providers={"prod": _aws_provider()})),
    ),
}


@pytest.mark.parametrize("program", PLANNED_AS_BY_THE_ENGINE.values(), ids=PLANNED_AS_BY_THE_ENGINE)
def test_what_the_python_sdk_resolves_is_planned(program: Callable[[], Any]) -> None:
    record(lambda: program() and None)


@pytest.mark.parametrize("program", REFUSED_AS_BY_THE_ENGINE.values(), ids=REFUSED_AS_BY_THE_ENGINE)
def test_what_the_python_sdk_leaves_without_a_provider_is_refused(program: Callable[[], Any]) -> None:
    assert "names no aws provider" in refusal(lambda: program() and None)


def test_a_read_without_a_provider_is_refused_and_with_one_read() -> None:
    message = refusal(lambda: aws.s3.Bucket.get("existing", "bucket-id"))
    # The engine's ReadResource puts the type where the others put the package.
    assert message.startswith(
        "Default provider for 'aws:s3/bucket:Bucket' disabled. 'aws:s3/bucket:Bucket' must use an explicit provider."
    )
    assert "read of aws:s3/bucket:Bucket 'existing' names no aws provider" in message

    def with_provider() -> None:
        provider = aws.Provider("main", region="eu-west-1")
        aws.s3.Bucket.get("existing", "bucket-id", opts=pulumi.ResourceOptions(provider=provider))

    assert [read.name for read in record(with_provider).reads] == ["existing"]


def test_a_package_not_listed_keeps_its_default_provider() -> None:
    # aws-native is not aws: the list names packages, not prefixes.
    graph = record(lambda: aws_native.s3.Bucket("native"), disabled=("aws", "kubernetes"))

    assert graph.named("native").provider is None
    with pytest.raises(DefaultProviderDenied, match="'aws-native' disabled"):
        record(lambda: aws_native.s3.Bucket("native"), disabled=("aws-native",))


def test_a_star_refuses_every_package_but_pulumis_own() -> None:
    for program, package in (
        (lambda: aws.s3.Bucket("b"), "aws"),
        (lambda: aws_native.s3.Bucket("b"), "aws-native"),
        (lambda: k8s.core.v1.Namespace("ns"), "kubernetes"),
    ):
        message = refusal(program, disabled=["*"])
        assert message.startswith(f"Default provider for '{package}' disabled.")
        assert "lists '*'" in message  # the item that refused it

    # The stack, a StackReference (a read of the `pulumi` package) and providers are never refused.
    graph = record(lambda: pulumi.StackReference("org/network/prod") and None, disabled=["*"])
    assert [read.type for read in graph.reads] == ["pulumi:pulumi:StackReference"]
    assert len(record(lambda: aws.Provider("main", region="eu-west-1") and None, disabled=["*"])) == 2


def test_items_are_trimmed_as_the_engine_trims_them() -> None:
    assert "'aws' disabled" in refusal(lambda: aws.s3.Bucket("b"), disabled=[" aws "])
    assert "'aws' disabled" in refusal(lambda: aws.s3.Bucket("b"), disabled='["aws"]')  # `pulumi config set`


def test_a_component_resource_is_never_refused() -> None:
    def program() -> None:
        provider = aws.Provider("main", region="eu-west-1")
        team = Team("team")  # no providers of its own
        aws.s3.Bucket("data", opts=pulumi.ResourceOptions(parent=team, provider=provider))

    graph = record(program, disabled=["*", "team"])  # its own package listed too

    assert [resource.name for resource in graph.components] == ["team"]


class RemoteVpc(pulumi.ComponentResource):
    """A multi-language component (awsx's): its package's provider constructs it."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awsx:ec2:Vpc", name, {}, opts, remote=True)


def test_a_remote_component_needs_its_packages_provider() -> None:
    message = refusal(lambda: RemoteVpc("vpc") and None, disabled=["awsx"])
    assert message.startswith("Default provider for 'awsx' disabled.")

    def with_provider() -> None:
        RemoteVpc("vpc", pulumi.ResourceOptions(provider=pulumi.ProviderResource("awsx", "main", {})))

    assert record(with_provider, disabled=["awsx"]).named("vpc").provider is not None


@pytest.mark.parametrize(
    "value",
    [None, "", [], "null", ["kubernetes"]],
    ids=["null", "empty-text", "empty-list", "json-null", "another-package"],
)
def test_nothing_listed_refuses_nothing(value: Any) -> None:
    assert len(record(lambda: aws.s3.Bucket("b") and None, disabled=value)) == 2


def test_absent_refuses_nothing() -> None:
    assert len(record(lambda: aws.s3.Bucket("b") and None, disabled=None)) == 2


def _nested(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("*", "a bare `*` is no list"),
        ("aws", "the engine fails to parse 'aws'"),
        ({"aws": True}, "the engine fails to parse"),
        (["aws", 1], "pulumi:disable-default-providers[1] must be a string"),
        ([None], "pulumi:disable-default-providers[0] must be a string"),
        # Deeper than the plan parses config text (stacks.input_limits.MAX_NESTING_DEPTH): refused,
        # not read as "nothing disabled" (the engine parses it and refuses its list item).
        (_nested(["aws"], MAX_NESTING_DEPTH + 1), "must be a list of package names"),
    ],
    ids=["bare-star", "bare-name", "map", "a-number", "a-null", "too-deep"],
)
def test_a_malformed_value_is_a_config_error_naming_the_file_and_key(value: Any, said: str) -> None:
    with pytest.raises(ConfigError) as error:
        record(lambda: None, disabled=value)

    assert error.value.source == SOURCE
    [(key, message)] = error.value.problems
    assert key == DISABLE_DEFAULT_PROVIDERS_KEY
    assert said in message


def test_the_engines_parent_lookup_covers_a_request_the_sdk_left_without_one() -> None:
    """The engine resolves a provider from the parent component's ``providers`` (its own map over
    its parent component's) when the request names none; the Python SDK already does, other SDKs
    (or a transform) may not."""
    guard = DefaultProviderGuard(frozenset({"aws"}), SOURCE)

    def request(
        type_: str, name: str, parent: str, *, custom: bool, providers: dict[str, str] | None = None
    ) -> Any:
        return SimpleNamespace(
            type=type_,
            name=name,
            parent=parent,
            custom=custom,
            remote=False,
            provider="",
            providers=providers or {},
            transforms=[],
        )

    guard.register(
        request("team:x:Team", "outer", "", custom=False, providers={"aws": "urn:p::id"}), lambda: "outer-urn"
    )
    guard.register(request("team:x:Team", "inner", "outer-urn", custom=False), lambda: "inner-urn")
    guard.register(request("aws:s3/bucket:Bucket", "kept", "inner-urn", custom=True), lambda: "kept-urn")
    guard.invoke(SimpleNamespace(tok="aws:index/getRegion:getRegion", provider="", parent="inner-urn"))
    with pytest.raises(DefaultProviderDenied):
        guard.register(request("aws:s3/bucket:Bucket", "loose", "", custom=True), lambda: "loose-urn")
    # A custom parent passes no providers map down, and its provider here names no package.
    with pytest.raises(DefaultProviderDenied):
        guard.register(request("aws:s3/bucket:Bucket", "under", "kept-urn", custom=True), lambda: "under-urn")


def test_what_the_transforms_returned_is_not_resolved_again() -> None:
    """After the transforms the engine takes their provider as it is: the parent component's map,
    which it resolved from before them (and handed them), is not read again (another SDK's invoke
    names its parent; the Python SDK sends the parent's provider itself)."""
    guard = DefaultProviderGuard(frozenset({"aws"}), SOURCE)
    team = SimpleNamespace(
        type="team:x:Team",
        name="t",
        parent="",
        custom=False,
        remote=False,
        provider="",
        providers={"aws": "urn:p::id"},
    )
    guard.register(team, lambda: "team-urn")
    invoke = SimpleNamespace(tok="aws:index/getRegion:getRegion", provider="", parent="team-urn")
    assert guard.invoke_provider(invoke) == "urn:p::id"
    guard.invoke(invoke)
    with pytest.raises(DefaultProviderDenied):
        guard.invoke(invoke, resolved=True)
    bucket = SimpleNamespace(
        type=BUCKET, name="b", parent="team-urn", custom=True, remote=False, provider="", providers={}
    )
    assert guard.provider_before_transforms(bucket) == "urn:p::id"
    assert guard.check(bucket, lambda: "b-urn") == "urn:p::id"
    with pytest.raises(DefaultProviderDenied):
        guard.check(bucket, lambda: "b-urn", resolved=True)


def _guard_request(type_: str, name: str, parent: str, provider: str = "", *, remote: bool = False) -> Any:
    return SimpleNamespace(
        type=type_,
        name=name,
        parent=parent,
        custom=not remote,
        remote=remote,
        provider=provider,
        providers={},
        transforms=[],
    )


def test_a_custom_parents_provider_of_the_childs_package_is_inherited() -> None:
    """The engine's inheritFromParent: a custom or remote child naming no provider takes its custom
    parent's when that provider is of the child's package (``ref.URN().Type().Name()``), not
    otherwise."""
    guard = DefaultProviderGuard(frozenset({"aws", "kubernetes", "awsx"}), SOURCE)
    aws_provider = "urn:pulumi:s::p::pulumi:providers:aws::main::0123"
    nested_provider = "urn:pulumi:s::p::team:x:Team$pulumi:providers:aws::main::0123"
    guard.register(_guard_request("aws:s3/bucket:Bucket", "b", "", aws_provider), lambda: "b-urn")
    guard.register(_guard_request("aws:s3/bucket:Bucket", "n", "", nested_provider), lambda: "n-urn")

    guard.register(_guard_request("aws:s3/bucketPolicy:BucketPolicy", "c", "b-urn"), lambda: "c-urn")
    guard.register(_guard_request("aws:s3/bucketPolicy:BucketPolicy", "d", "n-urn"), lambda: "d-urn")
    # The child took it on: its own child inherits it in turn.
    guard.register(_guard_request("aws:s3/bucketPolicy:BucketPolicy", "e", "c-urn"), lambda: "e-urn")
    with pytest.raises(DefaultProviderDenied, match="'kubernetes' disabled"):
        guard.register(_guard_request("kubernetes:core/v1:Namespace", "k", "b-urn"), lambda: "k-urn")
    with pytest.raises(DefaultProviderDenied, match="'awsx' disabled"):  # awsx is not aws
        guard.register(_guard_request("awsx:ec2:Vpc", "v", "b-urn", remote=True), lambda: "v-urn")
    with pytest.raises(DefaultProviderDenied, match="'aws' disabled"):  # not a parent: not inherited
        guard.register(_guard_request("aws:s3/bucket:Bucket", "x", "other-urn"), lambda: "x-urn")


def test_a_remote_components_providers_entry_for_its_package_is_explicit() -> None:
    """resolveProvider takes the request's ``providers`` entry for the package when it names no
    ``provider`` (another SDK's multi-language component); an entry for another package does not."""
    guard = DefaultProviderGuard(frozenset({"awsx"}), SOURCE)
    request = _guard_request("awsx:ec2:Vpc", "vpc", "", remote=True)

    guard.register(SimpleNamespace(**{**vars(request), "providers": {"awsx": "urn:awsx::id"}}), lambda: "v1")
    with pytest.raises(DefaultProviderDenied):
        guard.register(
            SimpleNamespace(**{**vars(request), "providers": {"aws": "urn:aws::id"}}), lambda: "v2"
        )


@pytest.mark.parametrize(
    "value",
    [{"secure": "v1:abc"}, ["kubernetes", {"secure": "v1:abc"}]],
    ids=["encrypted", "an-encrypted-item"],
)
def test_an_encrypted_value_is_left_to_pulumi_up(value: Any) -> None:
    """Its text is not known offline: it refuses nothing and is no error (as ``pulumi:tags``)."""
    assert disabled_default_providers({DISABLE_DEFAULT_PROVIDERS_KEY: value}) == frozenset()
    assert len(record(lambda: aws.s3.Bucket("b") and None, disabled=value)) == 2


def _provider_transform() -> Callable[[pulumi.ResourceTransformArgs], pulumi.ResourceTransformResult | None]:
    """A transform giving each aws resource the provider ``main`` this registers (the program's)."""
    provider = aws.Provider("main", region="eu-west-1")

    def with_provider(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        if not args.type_.startswith("aws:"):
            return None
        return pulumi.ResourceTransformResult(
            args.props, pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(provider=provider))
        )

    return with_provider


def test_a_provider_a_transform_sets_satisfies_the_check() -> None:
    """The engine resolves the provider before it runs the transforms, which may set one (a stack
    transform naming the provider of every aws resource is the usual way), and checks the one they
    return: the recording runs them, so what one gives a provider passes; what none reaches, or
    one reaches that sets none, is still refused."""

    def stack_transform() -> None:
        pulumi.runtime.register_stack_transform(_provider_transform())
        aws.s3.Bucket("data")

    assert [bucket.name for bucket in record(stack_transform).of_type(BUCKET)] == ["data"]

    def transform_on_a_parent() -> None:
        with_provider = _provider_transform()
        team = Team("team", pulumi.ResourceOptions(transforms=[with_provider]))
        inner = Team("inner", pulumi.ResourceOptions(parent=team))
        aws.s3.Bucket("data", opts=pulumi.ResourceOptions(parent=inner))
        aws.s3.Bucket("own", opts=pulumi.ResourceOptions(transforms=[with_provider]))

    assert sorted(bucket.name for bucket in record(transform_on_a_parent).of_type(BUCKET)) == ["data", "own"]

    def transform_elsewhere() -> None:
        Team("team", pulumi.ResourceOptions(transforms=[_provider_transform()]))
        aws.s3.Bucket("loose")  # not its child

    assert "'loose' names no aws provider" in refusal(transform_elsewhere)

    def stack_transform_too_late() -> None:
        with_provider = _provider_transform()
        aws.s3.Bucket("early")  # registered before the transform: it does not reach it
        pulumi.runtime.register_stack_transform(with_provider)

    assert "'early' names no aws provider" in refusal(stack_transform_too_late)


def _tagged(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
    tags = {**(args.props.get("tags") or {}), "team": "data"}
    return pulumi.ResourceTransformResult({**args.props, "tags": tags}, args.opts)


def test_a_stack_transform_that_only_tags_leaves_the_check_on() -> None:
    """One stack transform turned the check off for every later registration; now the tagging one
    runs, sets no provider, and the bucket that names none is refused (its tags the transform's)."""

    def program() -> None:
        pulumi.runtime.register_resource_transform(_tagged)
        aws.s3.Bucket("forgot")

    assert "'forgot' names no aws provider" in refusal(program)
    tagged = record(program, disabled=None).named("forgot")
    assert tagged.inputs["tags"] == {"team": "data"}


def test_a_transform_that_drops_the_provider_is_refused() -> None:
    """The engine takes the provider the transforms return as it is (no second resolution): one
    that returns options without the program's provider leaves the default provider, refused."""

    def program() -> None:
        provider = aws.Provider("main", region="eu-west-1")
        aws.s3.Bucket(
            "kept",
            opts=pulumi.ResourceOptions(
                provider=provider,
                transforms=[
                    lambda args: pulumi.ResourceTransformResult(args.props, pulumi.ResourceOptions())
                ],
            ),
        )

    assert "'kept' names no aws provider" in refusal(program)

    def under_a_component_with_providers() -> None:  # not resolved again from the parent's map
        team = Team("team", pulumi.ResourceOptions(providers=[aws.Provider("main", region="eu-west-1")]))
        aws.s3.Bucket(
            "kept",
            opts=pulumi.ResourceOptions(
                parent=team,
                transforms=[
                    lambda args: pulumi.ResourceTransformResult(args.props, pulumi.ResourceOptions())
                ],
            ),
        )

    assert "'kept' names no aws provider" in refusal(under_a_component_with_providers)
    untouched = lambda args: None  # noqa: E731 (None: options unchanged, the provider kept)

    def unchanged() -> None:
        provider = aws.Provider("main", region="eu-west-1")
        aws.s3.Bucket("kept", opts=pulumi.ResourceOptions(provider=provider, transforms=[untouched]))

    assert record(unchanged).named("kept").provider is not None


def test_an_invoke_is_checked_after_the_invoke_transforms() -> None:
    """The engine runs the stack invoke transforms before it loads the provider: one that gives the
    provider passes, one that leaves the invoke as it is does not (it was left unjudged)."""

    def unchanged() -> None:
        pulumi.runtime.register_invoke_transform(lambda args: None)
        aws.get_region()

    assert "invoke aws:index/getRegion:getRegion names no aws provider" in refusal(unchanged)

    def provider_dropped() -> None:  # the parent's provider, which the SDK sent, taken away
        team = Team("team", pulumi.ResourceOptions(providers=[aws.Provider("main", region="eu-west-1")]))
        pulumi.runtime.register_invoke_transform(
            lambda args: pulumi.InvokeTransformResult(args.args, pulumi.InvokeOptions())
        )
        aws.get_region(opts=pulumi.InvokeOptions(parent=team))

    assert "names no aws provider" in refusal(provider_dropped)

    def with_provider() -> None:
        provider = aws.Provider("main", region="eu-west-1")
        pulumi.runtime.register_invoke_transform(
            lambda args: pulumi.InvokeTransformResult(args.args, pulumi.InvokeOptions(provider=provider))
        )
        aws.get_region()

    assert [resource.name for resource in record(with_provider)] == ["mlops-platform-test", "main"]


def test_a_remote_component_is_refused_by_its_type_as_the_engine_says() -> None:
    message = refusal(lambda: RemoteVpc("vpc") and None, disabled=["awsx"])

    assert message.startswith(
        "Default provider for 'awsx' disabled. 'awsx:ec2:Vpc' must use an explicit provider. "
    )


def test_the_keys_value_reads_as_the_engine_passes_it() -> None:
    assert disabled_default_providers({}) == frozenset()
    assert disabled_default_providers({DISABLE_DEFAULT_PROVIDERS_KEY: ["aws", "*"]}) == {"aws", "*"}


# -- bin/plan: `python -m planner`'s main, on a stack file the test writes ---------------------------


def _stack_file(tmp_path: Path, value: Any) -> Path:
    document = load_stack_document("dev")
    document["config"][DISABLE_DEFAULT_PROVIDERS_KEY] = value
    path = tmp_path / "Pulumi.ddp.yaml"
    path.write_text(dump_stack_document(document))
    return path


def test_the_plan_fails_with_the_message_and_no_plan(tmp_path, monkeypatch, capsys) -> None:
    path = _stack_file(tmp_path, ["aws"])
    # The platform names its providers everywhere: a program that forgets one stands in for it.
    monkeypatch.setattr("planner.recorder._offline_program", lambda source, registry: aws.s3.Bucket("forgot"))

    assert main(["--config", str(path), "--format", "json"]) == EXIT_FAILED

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: Default provider for 'aws' disabled.")
    assert f"`pulumi:disable-default-providers` in {path} lists 'aws'" in captured.err
    assert "Traceback" not in captured.err


def test_a_malformed_value_in_a_stack_file_exits_2_naming_it(tmp_path, capsys) -> None:
    path = _stack_file(tmp_path, "*")
    with pytest.raises(ConfigError) as error:  # reading the file, before any program runs
        read_stack_file(path)
    [(key, message)] = error.value.problems
    assert key == DISABLE_DEFAULT_PROVIDERS_KEY
    assert "a bare `*` is no list" in message

    assert main(["--config", str(path), "--format", "json"]) == EXIT_INVALID_CONFIG

    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}: pulumi:disable-default-providers: must be a list of package names" in captured.err


def test_a_malformed_value_from_pulumi_yaml_names_pulumi_yaml(tmp_path) -> None:
    def without_the_key(document: dict[str, Any]) -> None:
        document["config"].pop(DISABLE_DEFAULT_PROVIDERS_KEY, None)

    path = project_folder(
        tmp_path, "  pulumi:disable-default-providers:\n    value: '*'\n", edit=without_the_key
    )
    with pytest.raises(ConfigError) as error:
        read_stack_file(path)

    [(key, message)] = error.value.problems
    assert (key, error.value.sources) == (DISABLE_DEFAULT_PROVIDERS_KEY, (str(tmp_path / "Pulumi.yaml"),))
    assert "a bare `*` is no list" in message


def test_a_refusal_names_the_file_the_list_is_written_in(tmp_path, monkeypatch, capsys) -> None:
    """A list set by Pulumi.yaml (the stack file setting none) is Pulumi.yaml's to change; one the
    stack file sets is the stack file's, even with Pulumi.yaml setting another."""
    monkeypatch.setattr("planner.recorder._offline_program", lambda source, registry: aws.s3.Bucket("forgot"))

    def without_the_key(document: dict[str, Any]) -> None:
        document["config"].pop(DISABLE_DEFAULT_PROVIDERS_KEY, None)

    project_list = "  pulumi:disable-default-providers:\n    value: [aws]\n"
    path = project_folder(tmp_path, project_list, edit=without_the_key)
    assert read_stack_file(path).default_providers_source == str(tmp_path / "Pulumi.yaml")

    assert main(["--config", str(path), "--format", "json"]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert f"`pulumi:disable-default-providers` in {tmp_path / 'Pulumi.yaml'} lists 'aws'" in err

    def with_the_key(document: dict[str, Any]) -> None:
        document["config"][DISABLE_DEFAULT_PROVIDERS_KEY] = ["aws"]

    path = project_folder(tmp_path, project_list, edit=with_the_key)
    assert read_stack_file(path).default_providers_source == ""
    assert main(["--config", str(path), "--format", "json"]) == EXIT_FAILED
    assert f"`pulumi:disable-default-providers` in {path} lists 'aws'" in capsys.readouterr().err
    # No list at all (Pulumi.yaml setting another key): no file to name.
    other = "  aws:skipMetadataApiCheck:\n    value: true\n"
    assert (
        read_stack_file(project_folder(tmp_path, other, edit=without_the_key)).default_providers_source == ""
    )
