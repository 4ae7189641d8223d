"""ARNs in each service's own format, for one account and region (the offline plan's fakes).

One function per service, from the resource's physical name: what AWS itself would return, so a
fake ARN passes the same patterns (botocore's service models) a real one does when it flows into
another resource's inputs. ``tests/planner/test_api_models.py`` checks them that way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

PARTITIONS: Final = (
    (re.compile(r"(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+", re.ASCII), "aws", "amazonaws.com"),
    (re.compile(r"cn-\w+-\d+", re.ASCII), "aws-cn", "amazonaws.com.cn"),
    (re.compile(r"us-gov-\w+-\d+", re.ASCII), "aws-us-gov", "amazonaws.com"),
    (re.compile(r"us-iso-\w+-\d+", re.ASCII), "aws-iso", "c2s.ic.gov"),
    (re.compile(r"us-isob-\w+-\d+", re.ASCII), "aws-iso-b", "sc2s.sgov.gov"),
    (re.compile(r"eu-isoe-\w+-\d+", re.ASCII), "aws-iso-e", "cloud.adc-e.uk"),
    (re.compile(r"us-isof-\w+-\d+", re.ASCII), "aws-iso-f", "csp.hci.ic.gov"),
    (re.compile(r"eusc-de-\w+-\d+", re.ASCII), "aws-eusc", "amazonaws.eu"),
)
"""Each AWS partition's region names (its ``regionRegex``), id and DNS suffix, as the SDKs' partition
table (botocore data/endpoints.json, aws-sdk-go-base endpoints) has them."""


REGIONS: Final = frozenset(
    {
        # aws
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
        "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1",
        "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
        "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
        "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
        # aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc
        "cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1", "us-iso-east-1",
        "us-iso-west-1", "us-isob-east-1", "us-isob-west-1", "eu-isoe-west-1", "us-isof-east-1",
        "us-isof-south-1", "eusc-de-east-1",
    }
)  # fmt: skip
"""The regions every partition lists, the table Terraform's aws_region data source searches
(``findRegionByName``, ``findRegionByEC2Endpoint`` over aws-sdk-go-base's ``endpoints.DefaultPartitions()``,
generated from the AWS SDKs' endpoints.json). It is the table of the provider pulumi-aws 7.51
bridges: aws-sdk-go-base's endpoints_gen.go lists these 46 in every release from v2.0.0-beta.68 to
beta.73 and on its main branch, and pulumi-aws copies it into its ``Region`` enum (provider
``extraTypes``, "synced with hashicorp/aws-sdk-go-base"), which the installed SDK ships and the
tests compare with. botocore's endpoints.json may list newer regions the bridged provider does not
know yet: update this with pulumi-aws, not with botocore. A region a ``regionRegex`` matches is not
necessarily in it (``eu-west-9``)."""


def partition_of(region: str) -> tuple[str, str] | None:
    """The id and DNS suffix of the partition ``region`` is in, or None where it is in none."""
    return next(((pid, suffix) for names, pid, suffix in PARTITIONS if names.fullmatch(region)), None)


def dns_suffix_of(region: str) -> str:
    """The DNS suffix of ``region``'s partition (``amazonaws.com`` for a region in no partition: the
    mocks answer in any region pulumi-aws's ``skipRegionValidation`` lets through)."""
    found = partition_of(region)
    return found[1] if found else "amazonaws.com"


@dataclass(frozen=True)
class Arns:
    region: str
    account: str
    partition: str = "aws"

    @property
    def dns_suffix(self) -> str:
        """The region's partition's DNS suffix: the services' hosts end in it (``amazonaws.com.cn``
        in China)."""
        return dns_suffix_of(self.region)

    def _arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account}:{resource}"

    def sns_topic(self, name: str) -> str:
        return self._arn("sns", name)

    def sqs_queue(self, name: str) -> str:
        return self._arn("sqs", name)

    def sqs_queue_url(self, name: str) -> str:
        # GetQueueUrl's https://sqs.<region>.<DNS suffix>/<account>/<name>.
        return f"https://sqs.{self.region}.{self.dns_suffix}/{self.account}/{name}"

    def ecr_repository(self, name: str) -> str:
        return self._arn("ecr", f"repository/{name}")

    def ecr_repository_url(self, name: str) -> str:
        # The registry's host, <account>.dkr.ecr.<region>.<DNS suffix> (amazonaws.com.cn in China).
        return f"{self.account}.dkr.ecr.{self.region}.{self.dns_suffix}/{name}"

    def events(self, kind: str, name: str, *, bus: str | None = None) -> str:
        """``rule/<name>`` (``rule/<bus>/<name>`` on a custom bus), ``event-bus/<name>``,
        ``api-destination/<name>/<uuid>``, ``connection/<name>/<uuid>``, ``archive/<name>``."""
        path = f"{bus}/{name}" if kind == "rule" and bus and bus != "default" else name
        return self._arn("events", f"{kind}/{path}")

    def scheduler(self, name: str, *, group: str | None = None) -> str:
        return self._arn("scheduler", f"schedule/{group or 'default'}/{name}")

    def scheduler_group(self, name: str) -> str:
        return self._arn("scheduler", f"schedule-group/{name}")

    def pipe(self, name: str) -> str:
        return self._arn("pipes", f"pipe/{name}")

    def state_machine(self, name: str) -> str:
        return self._arn("states", f"stateMachine:{name}")

    def scaling_policy(self, policy_id: str, namespace: str, resource_id: str, name: str) -> str:
        return self._arn(
            "autoscaling", f"scalingPolicy:{policy_id}:resource/{namespace}/{resource_id}:policyName/{name}"
        )

    def scalable_target(self, target_id: str) -> str:
        return self._arn("application-autoscaling", f"scalable-target/{target_id}")

    def scheduled_action(self, action_id: str, namespace: str, resource_id: str, name: str) -> str:
        return self._arn(
            "autoscaling",
            f"scheduledAction:{action_id}:resource/{namespace}/{resource_id}:scheduledActionName/{name}",
        )

    def cloudwatch_alarm(self, name: str) -> str:
        return self._arn("cloudwatch", f"alarm:{name}")

    def cloudwatch_dashboard(self, name: str) -> str:
        return self._arn("cloudwatch", f"dashboard/{name}", regional=False)

    def sagemaker(self, kind: str, name: str) -> str:
        """``endpoint/``, ``endpoint-config/``, ``model/``, ``pipeline/``, ``model-package-group/``...:
        SageMaker lowercases the name in its ARNs."""
        return self._arn("sagemaker", f"{kind}/{name.lower()}")

    def iam_role(self, name: str, path: str = "/") -> str:
        return self._arn("iam", f"role{path}{name}", regional=False)

    def iam_policy(self, name: str, path: str = "/") -> str:
        return self._arn("iam", f"policy{path}{name}", regional=False)

    def kms_key(self, key_id: str) -> str:
        return self._arn("kms", f"key/{key_id}")

    def kms_alias(self, alias: str) -> str:
        return self._arn("kms", alias)

    def budget(self, name: str) -> str:
        return self._arn("budgets", f"budget/{name}", regional=False)

    def cost_explorer(self, kind: str, resource_id: str) -> str:
        """``anomalymonitor/<uuid>``, ``anomalysubscription/<uuid>``: Cost Explorer is global."""
        return self._arn("ce", f"{kind}/{resource_id}", regional=False)

    def s3_bucket(self, bucket: str) -> str:
        return f"arn:{self.partition}:s3:::{bucket}"

    def log_group(self, name: str) -> str:
        return self._arn("logs", f"log-group:{name}")
