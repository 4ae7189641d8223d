"""What the engine hands a transform and takes back (planner/transforms.py), asserted where mut71's
mutants survived the tests covering it (84 of 117 killed: test_transforms_71,
test_disable_default_providers_70 and, in the second batch, the first four tests here).

9 gaps, killed here: a secret or unknown value, at the top, inside a map or a list, reaches a
resource's own transform as an ``Output`` secret, unknown or both, a dependent one carrying its
dependency once (``_upgraded``, ``_output_value``), and goes back as it was (``_downgraded`` of a
list); a result with no ``opts`` keeps the registration's options and an invoke's provider
(``HasField("options")``); delete_before_replace and custom timeouts survive a transform.

24 equivalent: fast paths (``reaching`` with nothing registered, ``registered`` and parents kept for
every resource); fields the Python SDK always sends (a response's properties, an invoke's args);
presence of a False or empty option the recorder reads as unset (protect, retainOnDelete,
customTimeouts, deleteBeforeReplace); a protobuf map lookup of a missing ``secret`` or
``dependencies`` that reads False or empty; an empty ``dependencies`` list; recursion into an asset
or a secret that copies it unchanged; and dependency rebuilding inside nested output values, which
carry none (only a top-level property's output value has dependencies, ``upgradeOutputValues``).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from planner.recorder import record_program


async def _described(value: Any) -> Any:
    if not isinstance(value, pulumi.Output):
        return ("plain", value)
    urns = [await dependency.urn.future() for dependency in await value.resources()]
    known = await value.is_known()
    return (known, await value.is_secret(), urns, await value.future() if known else None)


def test_an_own_transform_receives_secret_and_unknown_values_as_the_engine_marks_them() -> None:
    seen: dict[str, Any] = {}

    async def look(args: pulumi.ResourceTransformArgs) -> None:
        if args.type_ != "aws:ec2/securityGroup:SecurityGroup":
            return
        seen["vpcId"] = await _described(args.props["vpcId"])
        seen["description"] = await _described(args.props["description"])
        tags = args.props["tags"]
        seen["tags"] = {key: await _described(value) for key, value in tags.items()}
        seen["cidr"] = await _described(args.props["egress"][0]["cidrBlocks"][0])

    def program() -> None:
        cluster = aws.eks.Cluster(
            "c", role_arn="arn:aws:iam::123456789012:role/eks", vpc_config={"subnet_ids": ["subnet-0123"]}
        )
        vpc_id = cluster.vpc_config.vpc_id  # unknown until the cluster exists
        aws.ec2.SecurityGroup(
            "sg",
            vpc_id=vpc_id,
            description=pulumi.Output.secret(vpc_id),
            tags={"vpc": "vpc", "owner": pulumi.Output.secret("data")},
            egress=[
                {
                    "from_port": 0,
                    "to_port": 0,
                    "protocol": "-1",
                    "cidr_blocks": [pulumi.Output.secret("10.0.0.0/8")],
                }
            ],
            opts=pulumi.ResourceOptions(transforms=[look]),
        )

    graph = record_program(program, config={"aws:region": "eu-west-1"})
    cluster = [graph.named("c").urn]
    assert seen["vpcId"] == (False, False, cluster, None), "unknown, carrying its dependency"
    assert seen["description"] == (False, True, cluster, None), "an unknown secret"
    assert seen["tags"] == {"vpc": ("plain", "vpc"), "owner": (True, True, [], "data")}
    assert seen["cidr"] == (True, True, [], "10.0.0.0/8"), "a secret inside a list"


def test_a_transform_returning_no_options_keeps_the_registration_s() -> None:
    """The SDK sends no options for a result whose ``opts`` is None (_callbacks.py: ``result_opts``
    None), and the engine keeps the ones it had: a mutant replacing them with the empty message lost
    the resource's protect and explicit provider."""

    def tag(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
        return pulumi.ResourceTransformResult(
            {**args.props, "tags": {"team": "data"}}, None
        )  # opts None: the SDK checks for it

    def program() -> None:
        provider = aws.Provider("east", region="us-east-1")
        aws.s3.Bucket(
            "data",
            bucket="data",
            opts=pulumi.ResourceOptions(protect=True, provider=provider, transforms=[tag]),
        )

    graph = record_program(program, config={"aws:region": "eu-west-1"})
    bucket = graph.named("data")
    assert bucket.inputs["tags"] == {"team": "data"}
    assert bucket.protect is True
    assert bucket.provider is not None and bucket.provider.startswith(graph.named("east").urn)


def test_an_invoke_transform_returning_no_options_keeps_the_invoke_s_provider() -> None:
    regions: list[str] = []

    def program() -> None:
        pulumi.runtime.register_invoke_transform(
            lambda args: pulumi.InvokeTransformResult(args.args, None)
        )  # opts None: the SDK checks for it
        provider = aws.Provider("east", region="us-east-1")
        aws.get_region_output(opts=pulumi.InvokeOutputOptions(provider=provider)).region.apply(regions.append)

    record_program(program, config={"aws:region": "eu-west-1"})
    assert regions == ["us-east-1"]


def test_a_transform_returning_nothing_leaves_a_secret_inside_a_list_as_it_was() -> None:
    """The output value the engine made of it goes back as the SDK sent it (``_downgraded`` of a list)."""

    def program(transforms: list[Any]) -> None:
        aws.ec2.SecurityGroup(
            "sg",
            egress=[
                {
                    "from_port": 0,
                    "to_port": 0,
                    "protocol": "-1",
                    "cidr_blocks": [pulumi.Output.secret("10.0.0.0/8")],
                }
            ],
            opts=pulumi.ResourceOptions(transforms=transforms),
        )

    plain = record_program(lambda: program([]), config={"aws:region": "eu-west-1"}).named("sg")
    untouched = record_program(
        lambda: program([lambda args: None]), config={"aws:region": "eu-west-1"}
    ).named("sg")
    assert untouched.inputs == plain.inputs
    assert untouched.secret_inputs == plain.secret_inputs


def test_a_transform_keeps_delete_before_replace_and_custom_timeouts() -> None:
    """Both reach the transform among the options (source_eval.go) and come back with them: mutants
    dropping either on the way in or out survived test_transforms_71."""

    def program(transforms: list[Any]) -> None:
        opts = pulumi.ResourceOptions(
            delete_before_replace=True,
            custom_timeouts=pulumi.CustomTimeouts(create="30m"),
            transforms=transforms,
        )
        aws.s3.Bucket("data", bucket="data", opts=opts)

    def merged(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
        return pulumi.ResourceTransformResult(args.props, args.opts)

    for transforms in ([lambda args: None], [merged]):
        bucket = record_program(
            lambda transforms=transforms: program(transforms), config={"aws:region": "eu-west-1"}
        ).named("data")
        assert (bucket.delete_before_replace, dict(bucket.custom_timeouts)) == (True, {"create": "30m"})
