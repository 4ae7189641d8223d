"""The retraining gate: executed by moto's Step Functions interpreter against moto's SageMaker.

moto passes an AWS SDK integration's parameters to boto3 as written and returns boto3's response
as is. Step Functions itself takes and returns PascalCase names even where the service API is
camelCase (its own ``listExecutions``: ``StateMachineArn``, ``Executions[].ExecutionArn``; AWS
documents this under "AWS SDK service integrations"). The ``sdk_integration_casing`` fixture gives
moto that documented conversion, through the service's botocore shapes (moto's own converter, which
its optimised integrations already use): an unknown parameter name still fails the call. Results are
JSON there: a timestamp is text.

The gate holds its cooldown in a Wait state, which moto's interpreter would wait out for real: the
``cooldown`` fixture puts it on a clock the test moves instead.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest

from components.training.retraining_gate import (
    LISTING_WAIT_SECONDS,
    RUNS_PER_PAGE,
    RetrainingGate,
    RetrainingGateArgs,
    gate_definition,
    gate_name,
)
from planner.recorder import record_program
from tests.api_models import service_model
from tests.aws_sessions import mocked_aws
from tests.graph_helpers import policy_of, statements
from tests.shared_clients import shared_client

REGION = "eu-west-1"
PIPELINE = "prod-customer-churn-training"
PIPELINE_ARN = f"arn:aws:sagemaker:{REGION}:123456789012:pipeline/{PIPELINE}"
COOLDOWN = 6 * 3600


@pytest.fixture
def sdk_integration_casing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Imported here, not at module level: moto's Step Functions parser is a heavy import that a
    # worker collecting this module without running its moto tests should not pay.
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk as aws_sdk,
    )

    def operation(task: Any) -> Any:
        action = task.resource.api_action
        service = service_model(task._get_boto_service_name())
        return service.operation_model(action[0].upper() + action[1:])

    def parameters(
        task: Any, values: dict, boto_service_name: Any = None, service_action_name: Any = None
    ) -> None:
        task._to_boto_request(values, operation(task).input_shape)

    def response(
        task: Any, value: Any, boto_service_name: Any = None, service_action_name: Any = None
    ) -> None:
        task._from_boto_response(value, operation(task).output_shape)
        _timestamps_as_text(value)

    monkeypatch.setattr(aws_sdk.StateTaskServiceAwsSdk, "_normalise_parameters", parameters)
    monkeypatch.setattr(aws_sdk.StateTaskServiceAwsSdk, "_normalise_response", response)


_INTERPRETER_CLIENTS: dict[tuple[object, ...], Any] = {}


@pytest.fixture
def interpreter_clients_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's interpreter makes a new boto3 client for each AWS SDK Task it runs (about 5 CPU-ms,
    some 60 in this module): each is made once per process here, by moto's own function (its
    settings: no retries of botocore's own, no parameter validation), and served again for the
    same service, region and environment. A client holds no moto state (tests/shared_clients.py)
    and is safe across threads; no one registers a handler on these."""
    from moto.core.models import botocore_stubber
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk as aws_sdk,
    )

    make = aws_sdk.boto_client_for

    def made_once(region: str, service: str, state_credentials: Any = None) -> Any:
        environment = sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_"))
        key = (region, service, botocore_stubber.enabled, *environment)
        if key not in _INTERPRETER_CLIENTS:
            _INTERPRETER_CLIENTS[key] = make(
                region=region, service=service, state_credentials=state_credentials
            )
        return _INTERPRETER_CLIENTS[key]

    monkeypatch.setattr(aws_sdk, "boto_client_for", made_once)


_VALID_DEFINITIONS: set[str] = set()
_PROGRAMS: dict[str, Any] = {}


@pytest.fixture
def definitions_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto parses a definition (ANTLR, about 20 CPU-ms) to validate it at each CreateStateMachine
    and again at each execution, and these tests create and run the same gate again and again. A
    text that parsed once in this process is not validated a second time there (any other text
    still is; an invalid one still fails), and each execution runs its own copy of the program
    moto parsed from its definition the first time (a deep copy: nothing one execution does
    reaches another's)."""
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    validate = StepFunctionsParserBackend._validate_definition
    parse = ExecutionWorker._get_evaluation_entrypoint

    def validated_once(definition: str) -> None:
        if definition not in _VALID_DEFINITIONS:
            validate(definition)
            _VALID_DEFINITIONS.add(definition)

    def parsed_once(worker: Any) -> Any:
        definition = worker._evaluation_details.state_machine_details.definition
        if definition not in _PROGRAMS:
            _PROGRAMS[definition] = parse(worker)
        return copy.deepcopy(_PROGRAMS[definition])

    monkeypatch.setattr(StepFunctionsParserBackend, "_validate_definition", staticmethod(validated_once))
    monkeypatch.setattr(ExecutionWorker, "_get_evaluation_entrypoint", parsed_once)


def _timestamps_as_text(value: Any) -> None:
    """A result is JSON in Step Functions: boto3's datetimes become ISO 8601 text, as the service
    gives them (moto's interpreter would keep the objects and fail to store a result holding one)."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in list(items):
        if isinstance(item, datetime.datetime):
            value[key] = item.isoformat()
        else:
            _timestamps_as_text(item)


class Cooldown:
    """The clock of the gate's Wait state (its cooldown): a Wait lasts until :meth:`passes`.

    moto's interpreter waits a Wait state's seconds for real, in the execution's thread. With a
    cooldown of seconds, the cooldown test waited it out (most of its run time) and raced it: its
    later alarms had to arrive before it ended, which a loaded machine can miss. Here the test says
    when the cooldown has passed, and the seconds each Wait was given are kept (``waits``).
    """

    def __init__(self) -> None:
        self.waits: list[int] = []
        self._passed = threading.Event()

    def wait(self, env: Any, wait_seconds: int) -> None:
        """``WaitFunction._wait_interval`` (a bound method in its place: no WaitFunction ``self``).
        Ends when the test says so or, as moto's own wait does, when the execution stops."""
        self.waits.append(wait_seconds)
        while not self._passed.wait(0.05):
            if env.program_state_event.is_set():
                return

    def passes(self) -> None:
        self._passed.set()


@contextmanager
def _released(clock: Cooldown) -> Iterator[None]:
    try:
        yield
    finally:
        clock.passes()


@pytest.fixture
def cooldown(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cooldown]:
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

    clock = Cooldown()
    monkeypatch.setattr(WaitFunction, "_wait_interval", clock.wait)
    yield clock
    clock.passes()  # no execution of this test waits on after it


class Progress:
    """The steps of every execution that a test may wait for (a state entered, an execution's end),
    so that a test waiting for an execution reads it again after such a step instead of on a timer
    (a 0.1 s sleep per read made most of these tests' run time, a core idle in a loaded run)."""

    ENDED = "(ended)"

    def __init__(self) -> None:
        self._stepped = threading.Condition()
        self.steps: list[str] = []
        self.started: dict[str, int] = {}  # an execution's ARN: the steps before it started

    def step(self, name: str) -> None:
        with self._stepped:
            self.steps.append(name)
            self._stepped.notify_all()

    def wait_past(self, seen: int, until: str | None, timeout: float) -> bool:
        """Whether, after the first ``seen`` steps, an execution entered state ``until`` or ended,
        waiting at most ``timeout`` seconds."""
        wanted = {self.ENDED, until}
        with self._stepped:
            return self._stepped.wait_for(lambda: not wanted.isdisjoint(self.steps[seen:]), timeout)


@pytest.fixture
def progress(monkeypatch: pytest.MonkeyPatch) -> Progress:
    """moto's executions, followed as they go: each state entered (its history event added) and
    each end (its status set), whatever the step did or raised."""
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    steps = Progress()
    add_event = EventManager.add_event
    terminated = BaseExecutionWorkerCommunication.terminated

    def event_added(
        self: Any, context: Any, event_type: Any, event_details: Any = None, *args: Any, **kwargs: Any
    ) -> int:
        try:
            return add_event(self, context, event_type, event_details, *args, **kwargs)
        finally:
            if entered := (event_details or {}).get("stateEnteredEventDetails"):
                steps.step(entered["name"])

    def ended(self: Any) -> None:
        try:
            terminated(self)
        finally:
            steps.step(Progress.ENDED)

    monkeypatch.setattr(EventManager, "add_event", event_added)
    monkeypatch.setattr(BaseExecutionWorkerCommunication, "terminated", ended)
    return steps


@pytest.fixture
def aws(
    sdk_integration_casing: None,
    definitions_parsed_once: None,
    interpreter_clients_made_once: None,
    cooldown: Cooldown,
    progress: Progress,
) -> Iterator[dict[str, Any]]:
    with (
        mocked_aws(REGION, config={"stepfunctions": {"execute_state_machine": True}}),
        _released(cooldown),  # executions still waiting end before moto stops
    ):
        iam = shared_client("iam", REGION)
        role = iam.create_role(RoleName="gate", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        sagemaker = shared_client("sagemaker", REGION)
        sagemaker.create_pipeline(
            PipelineName=PIPELINE,
            PipelineDefinition=json.dumps({"Version": "2020-12-01", "Steps": []}),
            RoleArn=role,
        )
        sfn = shared_client("stepfunctions", REGION)
        gate = sfn.create_state_machine(
            name=gate_name(PIPELINE),
            definition=json.dumps(gate_definition(PIPELINE, COOLDOWN)),
            roleArn=role,
        )["stateMachineArn"]
        yield {"sfn": sfn, "sagemaker": sagemaker, "gate": gate, "cooldown": cooldown, "progress": progress}


def _alarm(aws: dict[str, Any], execution: str, alarm: str = "prod-customer-churn-data-drift") -> str:
    """Start the gate as the retraining rule does: with the alarm's state-change event."""
    event = {
        "source": "aws.cloudwatch",
        "detail-type": "CloudWatch Alarm State Change",
        "detail": {"alarmName": alarm, "state": {"value": "ALARM"}, "previousState": {"value": "OK"}},
    }
    steps = len(aws["progress"].steps)
    arn = aws["sfn"].start_execution(stateMachineArn=aws["gate"], name=execution, input=json.dumps(event))[
        "executionArn"
    ]
    aws["progress"].started[arn] = steps
    return arn


def _states(aws: dict[str, Any], execution: str) -> list[str]:
    events = aws["sfn"].get_execution_history(executionArn=execution)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def _wait(aws: dict[str, Any], execution: str, *, until: str | None = None, timeout: float = 20) -> None:
    """Until the execution has ended, or entered state ``until``: read after an execution entered
    that state or ended (``progress``) since it started, and again after each such step."""
    deadline = time.monotonic() + timeout
    seen = aws["progress"].started[execution]
    while aws["progress"].wait_past(seen, until, deadline - time.monotonic()):
        seen = len(aws["progress"].steps)  # before reading: a step during the reads is not missed
        status = aws["sfn"].describe_execution(executionArn=execution)["status"]
        if (until and until in _states(aws, execution)) or (not until and status != "RUNNING"):
            assert status in ("RUNNING", "SUCCEEDED"), (status, _states(aws, execution))
            return
    raise AssertionError(f"{execution} still running: {_states(aws, execution)}")


def _runs(aws: dict[str, Any]) -> list[dict[str, Any]]:
    return aws["sagemaker"].list_pipeline_executions(PipelineName=PIPELINE)["PipelineExecutionSummaries"]


def test_an_alarm_starts_one_run_and_alarms_during_the_cooldown_start_none(aws) -> None:
    first = _alarm(aws, "first")
    _wait(aws, first, until="Cooldown")
    assert len(_runs(aws)) == 1

    for name in ("flapping", "quality-drop"):
        later = _alarm(aws, name, alarm="prod-customer-churn-model-quality-auc")
        _wait(aws, later)
        assert _states(aws, later)[-1] == "InCooldown"
    assert len(_runs(aws)) == 1, "alarms within the cooldown start no run"

    aws["cooldown"].passes()
    _wait(aws, first)
    assert aws["cooldown"].waits[0] == COOLDOWN, "the first run's gate held the whole cooldown"
    after = _alarm(aws, "after-the-cooldown")
    _wait(aws, after, until="Cooldown")
    assert len(_runs(aws)) == 2, "the first alarm after the cooldown retrains again"


def test_alarms_arriving_together_start_exactly_one_run(aws) -> None:
    executions = [_alarm(aws, f"burst-{i}") for i in range(4)]
    for execution in executions:
        _wait(aws, execution, until="Cooldown") if execution == executions[0] else _wait(aws, execution)
    assert len(_runs(aws)) == 1
    assert [_states(aws, e)[-1] for e in executions[1:]] == ["InCooldown"] * 3


def test_no_second_run_while_one_is_executing(aws) -> None:
    from moto.sagemaker.models import sagemaker_backends

    aws["sagemaker"].start_pipeline_execution(PipelineName=PIPELINE, ClientRequestToken="s" * 32)
    [running] = sagemaker_backends["123456789012"][REGION].pipelines[PIPELINE].pipeline_executions.values()
    running.pipeline_execution_status = "Executing"  # a scheduled run, still going

    execution = _alarm(aws, "during-a-run")
    _wait(aws, execution)
    assert _states(aws, execution)[-1] == "RunInProgress"
    assert len(_runs(aws)) == 1


class Listing(list[dict[str, Any]]):
    """The ListPipelineExecutions requests, in order; ``empty_last_page``: a NextToken also after the
    page that ends on the last run, so the gate's last read is an empty page (a paginated API may
    only find out there is nothing more on the next call)."""

    empty_last_page = False


@pytest.fixture
def runs_listed_as_sagemaker_does(monkeypatch: pytest.MonkeyPatch) -> Listing:
    """moto lists every run of a pipeline, in the order they started, whatever the request asks;
    SageMaker's ListPipelineExecutions sorts them (``SortBy``: ``CreationTime`` or
    ``PipelineExecutionArn``, ``SortOrder``) and returns at most ``MaxResults`` (default 50), with a
    ``NextToken`` when more remain (absent on the last page). The requests are kept, in order."""
    from moto.core.responses import ActionResult
    from moto.sagemaker.models import sagemaker_backends
    from moto.sagemaker.responses import SageMakerResponse

    requests = Listing()

    def listed(response: Any) -> ActionResult:
        name = response._get_param("PipelineName")
        requests.append(json.loads(response.body))
        runs = sagemaker_backends["123456789012"][REGION].pipelines[name].pipeline_executions
        by = response._get_param("SortBy", "CreationTime")
        ordered = sorted(
            runs.values(), key=lambda run: run.creation_time if by == "CreationTime" else run.arn
        )
        if response._get_param("SortOrder", "Descending") == "Descending":
            ordered.reverse()
        start = int(response._get_param("NextToken", "0"))
        end = start + response._get_param("MaxResults", 50)
        summaries = response.sagemaker_backend.list_pipeline_executions(name)["PipelineExecutionSummaries"]
        by_arn = {summary["PipelineExecutionArn"]: summary for summary in summaries}
        page: dict[str, Any] = {"PipelineExecutionSummaries": [by_arn[run.arn] for run in ordered[start:end]]}
        if end < len(ordered) or (requests.empty_last_page and end == len(ordered)):
            page["NextToken"] = str(end)
        return ActionResult(page)

    monkeypatch.setattr(SageMakerResponse, "list_pipeline_executions", listed)
    return requests


def _runs_an_hour_apart(aws: Any, count: int = 12) -> tuple[Any, list[Any]]:
    """``count`` runs of the pipeline in moto, the n-th started n hours after the first: moto's
    pipeline and its stored runs, oldest first."""
    from moto.sagemaker.models import sagemaker_backends

    for i in range(count):
        aws["sagemaker"].start_pipeline_execution(PipelineName=PIPELINE, ClientRequestToken=f"{i:032d}")
    pipeline = sagemaker_backends["123456789012"][REGION].pipelines[PIPELINE]
    stored = list(pipeline.pipeline_executions.values())
    start = stored[0].creation_time
    for i, run in enumerate(stored):
        run.creation_time = start + datetime.timedelta(hours=i)
    return pipeline, stored


def test_a_run_still_executing_behind_newer_and_older_runs_holds_retraining(
    aws, runs_listed_as_sagemaker_does
) -> None:
    """The gate looks at the newest runs, not the first ones the pipeline ever had, and at more than
    the newest one: a long training run still executing while a later, short run already failed."""
    pipeline, stored = _runs_an_hour_apart(aws)
    for i, run in enumerate(stored):
        # An execution ARN ends in a random id: its order says nothing of when the run started.
        run.arn = f"{PIPELINE_ARN}/execution/{len(stored) - i:012d}"
    pipeline.pipeline_executions = {run.arn: run for run in stored}
    stored[10].pipeline_execution_status = "Executing"  # started by the schedule, still training
    stored[11].pipeline_execution_status = "Failed"  # started later by a person, failed at once

    execution = _alarm(aws, "behind-a-failed-run")
    _wait(aws, execution)
    assert _states(aws, execution)[-1] == "RunInProgress"
    assert len(_runs(aws)) == 12, "no run started while one is executing"


def test_a_run_executing_behind_more_than_ten_newer_runs_still_holds_retraining(
    aws, runs_listed_as_sagemaker_does
) -> None:
    """A gate that reads only the ten newest runs misses a long run still executing behind ten newer
    short ones (a new-data trigger's runs that failed at once, say) and starts a second, concurrent
    retraining."""
    _, stored = _runs_an_hour_apart(aws)
    for run in stored:
        run.pipeline_execution_status = "Failed"
    stored[0].pipeline_execution_status = "Executing"  # the oldest: a long training run, still going

    aws["cooldown"].passes()  # a gate that started a run ends at once rather than holding it
    execution = _alarm(aws, "behind-eleven-runs")
    _wait(aws, execution)
    assert _states(aws, execution)[-1] == "RunInProgress"
    assert len(_runs(aws)) == 12, "no run started while one is executing"


def test_the_gate_pages_through_the_runs_until_it_finds_one_executing(
    aws, runs_listed_as_sagemaker_does
) -> None:
    """ListPipelineExecutions returns a page and a NextToken: the gate asks for the next page with
    that token (a run executing behind two pages of newer runs), and stops at the page it is on."""
    _, stored = _runs_an_hour_apart(aws, 2 * RUNS_PER_PAGE + 3)
    for run in stored:
        run.pipeline_execution_status = "Failed"
    stored[1].pipeline_execution_status = "Executing"  # on the third page, newest first

    aws["cooldown"].passes()
    execution = _alarm(aws, "behind-two-pages")
    _wait(aws, execution)
    states = _states(aws, execution)
    assert states[-1] == "RunInProgress"
    assert states.count("ListMorePipelineRuns") == 2
    requests = list(runs_listed_as_sagemaker_does)
    assert [request.get("NextToken") for request in requests] == [
        None,
        str(RUNS_PER_PAGE),
        str(2 * RUNS_PER_PAGE),
    ]
    assert {request["MaxResults"] for request in requests} == {RUNS_PER_PAGE}
    assert len(_runs(aws)) == len(stored), "no run started while one is executing"


def test_after_the_last_page_without_a_run_executing_the_gate_retrains(
    aws, runs_listed_as_sagemaker_does
) -> None:
    """The last page has no NextToken: the gate has seen every run and starts one (it neither stops
    at the first page nor asks again for a page that is not there)."""
    _, stored = _runs_an_hour_apart(aws, RUNS_PER_PAGE + 1)
    for run in stored:
        run.pipeline_execution_status = "Succeeded"
    execution = _alarm(aws, "all-done")
    _wait(aws, execution, until="Cooldown")
    assert _states(aws, execution).count("ListMorePipelineRuns") == 1
    assert len(runs_listed_as_sagemaker_does) == 2
    assert len(_runs(aws)) == RUNS_PER_PAGE + 2, "one run started after every page was read"


def test_the_gate_reads_at_most_its_page_limit(aws, runs_listed_as_sagemaker_does) -> None:
    """Paging stops after ``max_run_pages`` pages: a run executing behind more newer runs than that
    is not seen (the documented limit, 1,000 runs by default) and the gate retrains."""
    _, stored = _runs_an_hour_apart(aws, 2 * RUNS_PER_PAGE + 1)
    for run in stored:
        run.pipeline_execution_status = "Failed"
    stored[0].pipeline_execution_status = "Executing"  # the only run on the third page
    sfn = aws["sfn"]
    described = sfn.describe_state_machine(stateMachineArn=aws["gate"])
    sfn.update_state_machine(
        stateMachineArn=aws["gate"],
        definition=json.dumps(gate_definition(PIPELINE, COOLDOWN, max_run_pages=2)),
        roleArn=described["roleArn"],
    )
    execution = _alarm(aws, "beyond-the-limit")
    _wait(aws, execution, until="Cooldown")
    assert _states(aws, execution).count("ListMorePipelineRuns") == 1
    assert len(runs_listed_as_sagemaker_does) == 2
    assert len(_runs(aws)) == len(stored) + 1


def test_a_page_of_the_longest_run_summaries_fits_a_task_result() -> None:
    """A Task's result must fit Step Functions' 256 KiB payload, UTF-8 JSON, or the execution fails
    (pages, no retraining): a page of runs at the longest botocore allows, free text made of
    characters JSON escapes to six bytes each (ARNs and display names are ASCII by their patterns),
    fits at the gate's page size; twice as many would not."""
    summary_shape = (
        service_model("sagemaker")
        .operation_model("ListPipelineExecutions")
        .output_shape.members["PipelineExecutionSummaries"]
        .member
    )

    def longest(shape: Any) -> Any:
        if shape.type_name == "string":
            free_text = shape.metadata.get("pattern") in (None, ".*")
            return ("\u0001" if free_text else "x") * shape.metadata.get("max", 256)
        if shape.type_name == "list":
            return [longest(shape.member)] * shape.metadata.get("max", 1)
        if shape.type_name == "structure":
            return {name: longest(member) for name, member in shape.members.items()}
        return "2026-12-05T00:00:00.000Z" if shape.type_name == "timestamp" else 0

    def page(size: int) -> int:
        summaries = [longest(summary_shape)] * size
        return len(json.dumps({"PipelineExecutionSummaries": summaries, "NextToken": "x" * 8192}).encode())

    assert page(RUNS_PER_PAGE) <= 256 * 1024
    assert page(2 * RUNS_PER_PAGE) > 256 * 1024


def test_an_empty_last_page_after_a_next_token_ends_the_paging(aws, runs_listed_as_sagemaker_does) -> None:
    """The runs end exactly on a page, and the service still gives a NextToken: the gate reads the
    empty page after it, sees no run executing and no token, and retrains."""
    runs_listed_as_sagemaker_does.empty_last_page = True
    _, stored = _runs_an_hour_apart(aws, 2 * RUNS_PER_PAGE)
    for run in stored:
        run.pipeline_execution_status = "Failed"
    execution = _alarm(aws, "empty-last-page")
    _wait(aws, execution, until="Cooldown")
    assert _states(aws, execution).count("ListMorePipelineRuns") == 2
    assert [r.get("NextToken") for r in runs_listed_as_sagemaker_does] == [
        None,
        str(RUNS_PER_PAGE),
        str(2 * RUNS_PER_PAGE),
    ]
    assert len(_runs(aws)) == len(stored) + 1


def _throttled(monkeypatch: pytest.MonkeyPatch, operation: str, refusals: int) -> list[float]:
    """SageMaker refuses ``operation`` (a moto backend method) as throttled ``refusals`` times, then
    serves it; the Retry waits of the gate's interpreter are kept, not slept."""
    from moto.sagemaker.exceptions import SagemakerClientError
    from moto.sagemaker.models import SageMakerModelBackend
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    class ThrottlingException(SagemakerClientError):
        code = "ThrottlingException"

    waits: list[float] = []
    monkeypatch.setattr(retrier_decl, "time", SimpleNamespace(sleep=waits.append))
    served = getattr(SageMakerModelBackend, operation)
    remaining = iter(range(refusals))

    def throttled(self: Any, *args: Any, **kwargs: Any) -> Any:
        if next(remaining, None) is not None:
            raise ThrottlingException()
        return served(self, *args, **kwargs)

    monkeypatch.setattr(SageMakerModelBackend, operation, throttled)
    return waits


@pytest.mark.filterwarnings("ignore:Exception\\(ThrottlingException\\):UserWarning")
def test_a_throttled_start_is_retried_until_the_run_starts(aws, monkeypatch: pytest.MonkeyPatch) -> None:
    """StartPipelineExecution can be throttled (or fail for a moment): the gate tries again, with the
    same client token, rather than failing and leaving the alarm without a retraining run."""
    from moto.sagemaker.models import sagemaker_backends

    # Three retries, each after a longer wait, then the run.
    waits = _throttled(monkeypatch, "start_pipeline_execution", refusals=3)
    execution = _alarm(aws, "throttled")
    _wait(aws, execution, until="Cooldown")
    assert waits == [10, 20, 40], "three refusals, three waits (10 s, doubling) before the fourth attempt"
    [stored] = sagemaker_backends["123456789012"][REGION].pipelines[PIPELINE].pipeline_executions.values()
    assert stored.client_request_token == hashlib.sha256(execution.encode()).hexdigest()


# moto has no ThrottlingException shape for ListPipelineExecutions (AWS throttles every call all the same).
@pytest.mark.filterwarnings("ignore:Exception\\(ThrottlingException\\):UserWarning")
def test_a_throttled_read_is_retried_rather_than_failing_the_gate(
    aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate's reads (its own running executions, the pipeline's runs) are retried like the start:
    one throttled ListPipelineExecutions must not fail the execution (and page) instead of retraining."""
    waits = _throttled(monkeypatch, "list_pipeline_executions", refusals=2)
    execution = _alarm(aws, "throttled-read")
    _wait(aws, execution, until="Cooldown")
    assert waits == [10, 20]
    assert len(_runs(aws)) == 1


def test_a_gate_not_listed_yet_lists_again_before_it_goes_on(aws, monkeypatch: pytest.MonkeyPatch) -> None:
    """ListExecutions is eventually consistent: an execution that has just started may not be in
    the list. While the list is empty the gate waits and lists again (an empty list failed the
    execution: a page and no retraining), then goes on as the oldest listed."""
    from moto.stepfunctions.models import StepFunctionBackend

    listed = StepFunctionBackend.list_executions
    unlisted = iter([True])

    def not_yet(self: Any, *args: Any, **kwargs: Any) -> Any:
        executions, token = listed(self, *args, **kwargs)
        return ([], token) if next(unlisted, False) else (executions, token)

    monkeypatch.setattr(StepFunctionBackend, "list_executions", not_yet)
    execution = _alarm(aws, "not-listed-yet")
    _wait(aws, execution, until="WaitToBeListed")
    assert _runs(aws) == []  # nothing started while it could not tell whether it holds the gate
    aws["cooldown"].passes()
    _wait(aws, execution)
    states = _states(aws, execution)
    assert states[: states.index("StartRetraining") + 1] == [
        "Identify",
        "ListRunningGates",
        "AnyGateListed",
        "WaitToBeListed",
        "ListRunningGates",
        "AnyGateListed",
        "OldestRunningGate",
        "HoldsTheGate",
        "ListPipelineRuns",
        "ReadRunStatuses",
        "IsAPipelineRunExecuting",
        "AlreadyRetraining",
        "StartRetraining",
    ]
    assert aws["cooldown"].waits == [LISTING_WAIT_SECONDS, COOLDOWN]
    assert len(_runs(aws)) == 1


def test_every_aws_call_of_the_gate_is_retried() -> None:
    states = gate_definition(PIPELINE, 86400)["States"]
    tasks = {name for name, state in states.items() if state["Type"] == "Task"}
    assert tasks == {"ListRunningGates", "ListPipelineRuns", "ListMorePipelineRuns", "StartRetraining"}
    for name in tasks:
        assert states[name]["Retry"] == [
            {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 3, "BackoffRate": 2}
        ], name


def test_the_run_names_its_alarm_and_a_retried_start_cannot_double_it(aws) -> None:
    from moto.sagemaker.models import sagemaker_backends

    execution = _alarm(aws, "described", alarm="prod-customer-churn-model-quality-f1")
    _wait(aws, execution, until="Cooldown")
    [run] = _runs(aws)
    assert (
        run["PipelineExecutionDescription"]
        == "Retraining: alarm prod-customer-churn-model-quality-f1 entered ALARM"
    )
    [stored] = sagemaker_backends["123456789012"][REGION].pipelines[PIPELINE].pipeline_executions.values()
    assert stored.client_request_token == hashlib.sha256(execution.encode()).hexdigest()


def test_the_definition_waits_the_whole_cooldown_after_starting_and_never_before() -> None:
    states = gate_definition(PIPELINE, 86400)["States"]
    assert states["StartRetraining"]["Next"] == "Cooldown"
    assert states["Cooldown"] == {"Type": "Wait", "Seconds": 86400, "End": True}
    skips = {name for name, state in states.items() if state["Type"] == "Succeed"}
    assert skips == {"InCooldown", "RunInProgress"}


def test_the_gate_may_start_its_one_pipeline_and_eventbridge_may_start_only_the_gate() -> None:
    graph = record_program(
        lambda: RetrainingGate(
            "retraining",
            RetrainingGateArgs(
                pipeline_name=PIPELINE,
                pipeline_arn=PIPELINE_ARN,
                account_id="123456789012",
                region=REGION,
                role_path="/mlops-platform/prod/",
                tags={"owner": "t"},
                cooldown_seconds=6 * 3600,
            ),
        ),
        config={"mlops-platform:platform": {"region": REGION, "account_id": "123456789012"}},
    )
    [machine] = graph.of_type("aws:sfn/stateMachine:StateMachine")
    gate_arn = machine.outputs["arn"]
    assert gate_arn == f"arn:aws:states:{REGION}:123456789012:stateMachine:{PIPELINE}-retraining"
    assert machine.inputs["type"] == "STANDARD"
    assert json.loads(machine.inputs["definition"]) == gate_definition(PIPELINE, 6 * 3600)
    policies = {
        json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"]["Service"]: statements(
            policy_of(
                next(
                    p
                    for p in graph.of_type("aws:iam/rolePolicy:RolePolicy")
                    if graph.referenced(p, "role") == [role]
                )
            )
        )
        for role in graph.of_type("aws:iam/role:Role")
    }
    assert policies == {
        "states.amazonaws.com": [
            {"Effect": "Allow", "Action": "states:ListExecutions", "Resource": gate_arn},
            {
                "Effect": "Allow",
                "Action": ["sagemaker:ListPipelineExecutions", "sagemaker:StartPipelineExecution"],
                "Resource": PIPELINE_ARN,
            },
        ],
        "events.amazonaws.com": [
            {"Effect": "Allow", "Action": "states:StartExecution", "Resource": gate_arn}
        ],
    }


@pytest.mark.parametrize("seconds", [0, 3599, 30 * 24 * 3600 + 1])
def test_cooldowns_outside_an_hour_to_a_month_are_refused(seconds) -> None:
    with pytest.raises(ValueError, match="cooldown_seconds"):
        RetrainingGateArgs(
            pipeline_name=PIPELINE,
            pipeline_arn=PIPELINE_ARN,
            account_id="123456789012",
            region=REGION,
            role_path="/p/",
            tags={},
            cooldown_seconds=seconds,
        )


def test_long_pipeline_names_give_gate_names_within_the_limit() -> None:
    name = gate_name("p" * 256)
    assert len(name) == 80 and name != gate_name("p" * 255)
