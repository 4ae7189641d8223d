"""components.output_text: the text, secrecy, unknowns and dependencies of ``Output.json_dumps``
and ``Output.concat``, without lifting every piece into an Output."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.output_text import concat, json_text
from planner.recorder import record_program

Render = Callable[[Any], pulumi.Output[str]]
RENDERERS: dict[str, Render] = {"json_text": json_text, "json_dumps": pulumi.Output.json_dumps}
Join = Callable[..., pulumi.Output[str]]
JOINERS: dict[str, Join] = {"concat": concat, "Output.concat": pulumi.Output.concat}


def _documents(bucket: aws.s3.Bucket, key: aws.kms.Key) -> dict[str, Any]:
    """Documents of every shape the components render, each holding its Outputs differently."""
    return {
        "plain": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"]}]},
        "outputs": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ("kms:Decrypt", "kms:GenerateDataKey*"),  # a tuple: a JSON list
                    "Resource": [key.arn, pulumi.Output.concat(bucket.arn, "/*")],
                    "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
                }
            ],
        },
        "nested": {"widgets": [{"properties": {"markdown": 'Ünïcode, "quotes"', "x": 1.5, "on": None}}]},
        # An Output whose value holds Outputs itself, and a secret.
        "output in output": {"a": bucket.arn.apply(lambda arn: {"arn": arn, "key": key.arn})},
        "secret": {"password": pulumi.Output.secret("hunter2"), "n": 3, "flag": True},
        "an output at the top": bucket.arn.apply(lambda arn: [arn, {"x": 1}]),
        # Left to json_dumps: an awaitable, which it awaits.
        "awaitable": {"later": _later("text"), "arn": bucket.arn},
        "empty": {},
    }


async def _later(value: str) -> str:
    return value


def _program(render: Render) -> Callable[[], None]:
    def program() -> None:
        bucket = aws.s3.Bucket("bucket")
        key = aws.kms.Key("key")
        for index, document in enumerate(_documents(bucket, key).values()):
            aws.sqs.Queue(f"queue-{index}", policy=render(document))

    return program


def test_every_document_renders_as_json_dumps_renders_it_to_the_engine() -> None:
    graphs = {name: record_program(_program(render)) for name, render in RENDERERS.items()}
    # Sorted: fewer Outputs to wait for, so a queue can register earlier than with json_dumps.
    seen = {
        name: sorted(
            (queue.name, queue.inputs["policy"], queue.property_dependencies["policy"], queue.secret_inputs)
            for queue in graph.of_type("aws:sqs/queue:Queue")
        )
        for name, graph in graphs.items()
    }
    assert seen["json_text"] == seen["json_dumps"]
    by_name = {name: (text, deps, secret) for name, text, deps, secret in seen["json_text"]}
    bucket, key = (graphs["json_text"].named(name).urn for name in ("bucket", "key"))
    text, dependencies, secret = by_name["queue-1"]
    assert json.loads(text)["Statement"][0]["Resource"][1].endswith("/*")
    assert set(dependencies) == {bucket, key} and not secret
    assert by_name["queue-4"][2] == {"policy"}  # the secret keeps the whole text secret
    assert set(by_name["queue-3"][1]) == {bucket, key}  # an Output inside an Output's value
    assert json.loads(by_name["queue-6"][0])["later"] == "text"


def _output(
    value: Any, *, known: bool = True, secret: bool = False, resources: frozenset[Any] = frozenset()
) -> pulumi.Output[Any]:
    def resolved(result: Any) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.set_result(result)
        return future

    return pulumi.Output(set(resources), resolved(value), resolved(known), resolved(secret))


async def _state(output: pulumi.Output[str]) -> tuple[bool, bool, str | None]:
    return await output.is_known(), await output.is_secret(), await output.future(with_unknowns=True)


@pytest.mark.parametrize("secret", [False, True])
def test_an_unknown_value_anywhere_leaves_the_text_unknown_as_at_a_preview(secret: bool) -> None:
    async def states() -> dict[str, tuple[bool, bool, str | None]]:
        return {
            name: await _state(
                render(
                    {
                        "Statement": [
                            {"Resource": [_output("arn:known"), _output(None, known=False, secret=secret)]}
                        ]
                    }
                )
            )
            for name, render in RENDERERS.items()
        }

    seen = asyncio.run(states())
    assert seen["json_text"] == seen["json_dumps"]
    assert seen["json_text"][:2] == (False, secret)


@pytest.fixture
def created(monkeypatch: pytest.MonkeyPatch) -> list[pulumi.Output[Any]]:
    """Every Output made from now on, however it is made (each registers with ``_track``)."""
    made: list[pulumi.Output[Any]] = []
    track = pulumi.Output._track

    def counting(self: pulumi.Output[Any]) -> None:
        made.append(self)
        track(self)

    monkeypatch.setattr(pulumi.Output, "_track", counting)
    return made


def test_only_the_documents_own_outputs_are_awaited(created: list[pulumi.Output[Any]]) -> None:
    """json_dumps makes an Output of every value in the document; a plan renders ~1,800 of them."""

    async def outputs_made(render: Render) -> tuple[int, str | None]:
        statements = [{"Effect": "Allow", "Action": [f"s3:Action{i}" for i in range(20)]} for i in range(50)]
        document = {"Statement": [*statements, {"Resource": _output("arn:aws:s3:::bucket")}]}
        created.clear()
        text = await render(document).future()
        return len(created), text

    made = {name: asyncio.run(outputs_made(render)) for name, render in RENDERERS.items()}
    assert made["json_text"][1] == made["json_dumps"][1]
    assert made["json_dumps"][0] > 1_000  # what the lifting costs: an Output per value
    assert made["json_text"][0] <= 5


def _parts(bucket: aws.s3.Bucket, key: aws.kms.Key) -> list[tuple[Any, ...]]:
    return [
        ("s3://", bucket.bucket, "/", key.key_id, "/data/"),  # two Outputs among strings
        (bucket.arn, "/*"),  # one
        ("only", " ", "strings"),
        (pulumi.Output.secret("Bearer "), bucket.arn),
        (bucket.arn, _later(":later")),  # an awaitable: left to Output.concat
        (),
    ]


def test_every_join_is_what_output_concat_gives_the_engine() -> None:
    def program(join: Join) -> Callable[[], None]:
        def run() -> None:
            bucket, key = aws.s3.Bucket("bucket"), aws.kms.Key("key")
            for index, parts in enumerate(_parts(bucket, key)):
                aws.sqs.Queue(f"queue-{index}", name=join(*parts))

        return run

    graphs = {name: record_program(program(join)) for name, join in JOINERS.items()}
    seen = {
        name: sorted(
            (
                queue.name,
                queue.inputs.get("name"),
                queue.property_dependencies.get("name"),
                queue.secret_inputs,
            )
            for queue in graph.of_type("aws:sqs/queue:Queue")
        )
        for name, graph in graphs.items()
    }
    assert seen["concat"] == seen["Output.concat"]
    by_name = {name: (text, deps, secret) for name, text, deps, secret in seen["concat"]}
    bucket, key = (graphs["concat"].named(name) for name in ("bucket", "key"))
    assert by_name["queue-0"][0] == f"s3://{bucket.outputs['bucket']}/{key.outputs['keyId']}/data/"
    assert set(by_name["queue-0"][1]) == {bucket.urn, key.urn}
    assert by_name["queue-2"] == ("only strings", (), frozenset())
    assert by_name["queue-3"][2] == {"name"}
    assert by_name["queue-4"][0].endswith(":later") and by_name["queue-5"][0] == ""


@pytest.mark.parametrize("unknown_at", [0, 1])
def test_an_unknown_part_leaves_the_joined_text_unknown(unknown_at: int) -> None:
    async def states() -> dict[str, tuple[bool, bool, str | None]]:
        def parts() -> list[Any]:
            found: list[Any] = ["arn:", _output("a"), "/", _output("b", secret=True)]
            found[[1, 3][unknown_at]] = _output(None, known=False)
            return found

        return {name: await _state(join(*parts())) for name, join in JOINERS.items()}

    seen = asyncio.run(states())
    assert seen["concat"] == seen["Output.concat"]
    assert seen["concat"][:2] == (False, unknown_at == 0)


async def _later_output(value: str) -> pulumi.Output[str]:
    return _output(value, resources=frozenset({"later"}))


ONE_OUTPUT_CASES: dict[str, Callable[[], pulumi.Output[Any]]] = {
    "secret": lambda: _output("b", secret=True, resources=frozenset({"bucket"})),
    "unknown": lambda: _output(None, known=False, resources=frozenset({"bucket"})),
    "unknown secret": lambda: _output(None, known=False, secret=True),
    # An async apply's value that is an Output itself, and a list holding an unknown: not text yet.
    "output in its value": lambda: _output("x").apply(lambda value: _later_output(value + "!")),
    "unknown in a list": lambda: _output("q").apply(lambda value: [_output(None, known=False)]),
}


@pytest.mark.parametrize("case", ONE_OUTPUT_CASES)
def test_a_join_of_one_output_is_what_output_concat_gives(case: str) -> None:
    async def states() -> dict[str, tuple[bool, bool, str | None, set[Any]]]:
        found = {}
        for name, join in JOINERS.items():
            joined = join("arn:", ONE_OUTPUT_CASES[case]())
            found[name] = (*await _state(joined), await joined.resources())
        return found

    seen = asyncio.run(states())
    assert seen["concat"] == seen["Output.concat"]
    known, secret, _, resources = seen["concat"]
    assert (known, secret) == (not case.startswith("unknown"), "secret" in case)
    assert resources == {"secret": {"bucket"}, "unknown": {"bucket"}, "output in its value": {"later"}}.get(
        case, set()
    )


def test_a_join_awaits_only_its_outputs(created: list[pulumi.Output[Any]]) -> None:
    async def outputs_made(join: Join) -> tuple[int, str | None]:
        created.clear()
        text = await join("arn:aws:s3:::", _output("bucket"), "/", "prefix", "*").future()
        return len(created), text

    made = {name: asyncio.run(outputs_made(join)) for name, join in JOINERS.items()}
    assert made["concat"][1] == made["Output.concat"][1] == "arn:aws:s3:::bucket/prefix*"
    assert made["concat"][0] < made["Output.concat"][0] / 3


def _lifting_calls(source: str) -> list[str]:
    """``Output.concat(...)`` / ``Output.json_dumps(...)`` calls in ``source``, however Output is named."""
    import ast
    import unicodedata

    # Such a call names ``Output`` and the method: a file whose text (NFKC-normalised, as the parser
    # normalises identifiers) holds neither pair is not parsed.
    text = unicodedata.normalize("NFKC", source)
    if "Output" not in text or ("concat" not in text and "json_dumps" not in text):
        return []
    return [
        f"line {node.lineno}: {node.func.attr}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("concat", "json_dumps")
        and isinstance(node.func.value, ast.Attribute | ast.Name)
        and (node.func.value.attr if isinstance(node.func.value, ast.Attribute) else node.func.value.id)
        == "Output"
    ]


def test_the_platform_builds_its_text_with_output_text() -> None:
    """A component that goes back to Output.concat or json_dumps plans correctly and slowly: this
    keeps the cost from creeping back in (the helpers themselves fall back to them on purpose)."""
    from tests.conftest import REPO

    offenders = {
        str(path.relative_to(REPO)): found
        for folder in ("components", "stacks")
        for path in sorted((REPO / folder).rglob("*.py"))
        if path.name != "output_text.py"
        if (found := _lifting_calls(path.read_text()))
    }
    assert offenders == {}
    assert _lifting_calls(
        "x = pulumi.Output.concat(a, '/')\ny = Output.json_dumps({})\nz = pd.concat([])"
    ) == [
        "line 1: concat",
        "line 2: json_dumps",
    ]
