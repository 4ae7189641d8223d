"""What a mutation audit of components/foundation/ and components/data/ found no test holding.

Of 70+ hand mutations only these survived the suite: the workloads' HTTPS egress to the VPC
widened to every protocol (``ip_protocol`` ``-1`` ignores the ports), and a reader account's
``s3:ListBucket`` opened to every prefix of a bucket instead of the shared ones.
"""

from __future__ import annotations

from components.foundation.secure_bucket import SecureBucket, SecureBucketArgs
from planner.recorder import ResourceGraph, record_program
from tests.graph_helpers import only, policy_of, statements

EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def test_workloads_reach_the_vpc_only_over_https(stack_graphs: dict[str, ResourceGraph]) -> None:
    graph = stack_graphs["dev"]
    [rule] = [r for r in graph.of_type(EGRESS) if r.name.endswith("-workloads-https-to-endpoints")]
    # With protocol "-1" AWS ignores the ports: every protocol to the whole VPC.
    assert rule.inputs["ipProtocol"] == "tcp"
    assert (rule.inputs["fromPort"], rule.inputs["toPort"]) == (443, 443)


def test_reader_accounts_list_only_the_shared_prefixes() -> None:
    args = SecureBucketArgs(
        purpose="models",
        kms_key_arn="arn:aws:kms:eu-west-1:111111111111:key/k",
        access_log_bucket="logs",
        tags={},
        reader_accounts=("222222222222",),
        reader_prefixes=("models/",),
    )
    graph = record_program(lambda: SecureBucket("models", args))
    policy = only(graph, "aws:s3/bucketPolicy:BucketPolicy")
    [listing] = [
        s for s in statements(policy_of(policy)) if s.get("Sid") == "ReaderAccountsListTheirPrefixes"
    ]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["models/*"]}}
