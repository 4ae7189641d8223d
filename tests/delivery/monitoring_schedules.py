"""SageMaker monitoring schedules for moto-backed tests: moto 5.2.5 does not implement them.

moto has no CreateMonitoringSchedule / ListMonitoringSchedules / DescribeMonitoringSchedule
(its SageMaker backend knows job definitions but not schedules). This module serves exactly those
two read operations (the list in pages, as SageMaker does) from a table the test fills, through botocore's ``before-call`` event, so the
code under test still talks to a real boto3 client and every other operation reaches moto. Every
answer is checked against botocore's output shape of the operation, so the stand-in cannot
return fields, or omit required ones, that SageMaker would not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from types import SimpleNamespace
from typing import Any

import botocore.model

from tests.botocore_models import service_model


@cache
def _service() -> botocore.model.ServiceModel:
    return botocore.model.ServiceModel(service_model("sagemaker"))


def assert_conforms(value: Any, shape: botocore.model.Shape, path: str = "") -> None:
    """``value`` has only members ``shape`` declares, and all it requires."""
    if shape.type_name == "structure":
        assert isinstance(value, dict), f"{path}: expected a structure"
        unknown = set(value) - set(shape.members)
        assert not unknown, f"{path}: not in the API's {shape.name}: {sorted(unknown)}"
        missing = set(shape.required_members) - set(value)
        assert not missing, f"{path}: required by {shape.name}: {sorted(missing)}"
        for key, item in value.items():
            assert_conforms(item, shape.members[key], f"{path}.{key}")
    elif shape.type_name == "list":
        assert isinstance(value, list), f"{path}: expected a list"
        for index, item in enumerate(value):
            assert_conforms(item, shape.member, f"{path}[{index}]")
    elif shape.type_name == "string" and shape.enum:
        assert value in shape.enum, f"{path}: {value!r} not one of {shape.enum}"


LIST_PAGE_SIZE = 10
"""ListMonitoringSchedules' default MaxResults (the API reference)."""


@dataclass
class MonitoringSchedules:
    """The schedules SageMaker would hold: name → (endpoint, type, job definition, expression, status)."""

    region: str
    account: str = "123456789012"
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)

    def create(
        self,
        name: str,
        *,
        endpoint: str,
        monitoring_type: str,
        job_definition: str | dict[str, Any],
        expression: str,
        status: str = "Scheduled",
    ) -> None:
        """``job_definition``: a definition's name, or the definition itself (inline, the older form)."""
        now = datetime.now(UTC)
        self.schedules[name] = {
            "MonitoringScheduleName": name,
            "MonitoringScheduleArn": f"arn:aws:sagemaker:{self.region}:{self.account}:monitoring-schedule/{name}",
            "MonitoringScheduleStatus": status,
            "MonitoringType": monitoring_type,
            "EndpointName": endpoint,
            "MonitoringJobDefinitionName": job_definition,
            "ScheduleExpression": expression,
            "CreationTime": now,
            "LastModifiedTime": now,
        }

    def install(self, events: Any) -> None:
        """Register on a botocore event emitter (a client's ``meta.events`` or a session's ``events``)."""
        events.register("before-call.sagemaker.ListMonitoringSchedules", self._list)
        events.register("before-call.sagemaker.DescribeMonitoringSchedule", self._describe)

    def _list(self, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        request = json.loads(params["body"] or b"{}")
        summaries = [
            {
                key: value
                for key, value in schedule.items()
                if key != "ScheduleExpression" and not isinstance(value, dict)  # an inline definition
            }
            for schedule in self.schedules.values()
            if request.get("EndpointName") in (None, schedule["EndpointName"])
            and request.get("MonitoringTypeEquals") in (None, schedule["MonitoringType"])
            and request.get("StatusEquals") in (None, schedule["MonitoringScheduleStatus"])
        ]
        # Pages as SageMaker does: MaxResults (default 10) per page, NextToken while more remain.
        start = int(request.get("NextToken") or 0)
        end = start + request.get("MaxResults", LIST_PAGE_SIZE)
        page: dict[str, Any] = {"MonitoringScheduleSummaries": summaries[start:end]}
        if end < len(summaries):
            page["NextToken"] = str(end)
        return self._answer("ListMonitoringSchedules", page)

    def _describe(self, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        name = json.loads(params["body"])["MonitoringScheduleName"]
        schedule = self.schedules.get(name)
        if schedule is None:
            error = {"Code": "ResourceNotFound", "Message": f"Monitoring schedule {name} does not exist"}
            return SimpleNamespace(status_code=400), {"Error": error, "ResponseMetadata": {}}
        described = {
            key: schedule[key]
            for key in (
                "MonitoringScheduleArn",
                "MonitoringScheduleName",
                "MonitoringScheduleStatus",
                "MonitoringType",
                "EndpointName",
                "CreationTime",
                "LastModifiedTime",
            )
        }
        definition = schedule["MonitoringJobDefinitionName"]
        described["MonitoringScheduleConfig"] = {
            "ScheduleConfig": {"ScheduleExpression": schedule["ScheduleExpression"]},
            "MonitoringType": schedule["MonitoringType"],
            **(
                {"MonitoringJobDefinition": definition}
                if isinstance(definition, dict)
                else {"MonitoringJobDefinitionName": definition}
            ),
        }
        return self._answer("DescribeMonitoringSchedule", described)

    @staticmethod
    def _answer(operation: str, body: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        assert_conforms(body, _service().operation_model(operation).output_shape, operation)
        return SimpleNamespace(status_code=200), {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}
