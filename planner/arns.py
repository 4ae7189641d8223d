"""ARNs in each service's own format, for one account and region (the offline plan's fakes).

One function per service, from the resource's physical name: what AWS itself would return, so a
fake ARN passes the same patterns (botocore's service models) a real one does when it flows into
another resource's inputs. ``tests/planner/test_api_models.py`` checks them that way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arns:
    region: str
    account: str
    partition: str = "aws"

    def _arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account}:{resource}"

    def sns_topic(self, name: str) -> str:
        return self._arn("sns", name)

    def sqs_queue(self, name: str) -> str:
        return self._arn("sqs", name)

    def sqs_queue_url(self, name: str) -> str:
        return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}"

    def ecr_repository(self, name: str) -> str:
        return self._arn("ecr", f"repository/{name}")

    def ecr_repository_url(self, name: str) -> str:
        return f"{self.account}.dkr.ecr.{self.region}.amazonaws.com/{name}"

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
