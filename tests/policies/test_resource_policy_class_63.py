"""``resource-policy-not-public`` covers resource-based policies as a class, not a list.

The installed pulumi-aws and pulumi-aws-native packages are scanned for every input that holds a
policy document (a name ending in ``policy``/``policies``/``policyDocument``/``policyText``/
``policyBody``/``policyTemplate``, or ``content``/``document``/``statement`` of a type named for a
policy or permission, typed
as a JSON string, a free-form object or pulumi-aws's ``PolicyDocument``, at the top level or in
nested objects and lists): each must be in the rule's table or excluded with a reason, so a
provider upgrade that adds a resource policy nobody classified fails here. Then the semantics on
a representative set of the types added: an Allow to ``*`` with no condition refused, pinned to a
fixed ``aws:SourceAccount``/``aws:PrincipalOrgID`` or naming an account passed, at preview (with
unknowns) and after create (outputs), the document a JSON string, an object or an ``Output``.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.local import evaluate_report
from policies.registry import get_policy
from policies.rules._resource_policy_types import DOCUMENTS, NOT_RESOURCE_POLICIES, SETTING_NAMES
from policies.rules.resource_policies import PublicResourcePolicy, document_paths
from tests.policies import engine_shapes
from tests.policies.one_resource import findings
from tests.recorded import computed_once

RULE = "resource-policy-not-public"
ACCOUNT = "111122223333"
ORG = "o-abc123def4"

# --- the scan -------------------------------------------------------------------------------------

_TOKEN = re.compile(r"super\((\w+), __self__\)\.__init__\(\s*'([^':]+:[^']+)'")
#: A class statement at a line's start: the newline is part of the pattern (its start is one less
#: than the class's) so that ``re`` searches for the literal prefix, where ``^`` with ``re.M``
#: tried every position of a module (1.2 of the two scans' 2.7 CPU-s); a module's first line is
#: matched on its own (``_classes``).
_CLASS = re.compile(r"\nclass (\w+)")
_FIRST_CLASS = re.compile(r"class (\w+)")
_GETTER = re.compile(
    r'    @pulumi\.getter(?:\(name="(?P<wire>[^"]+)"\))?\n(?:    @[^\n]*\n)*'
    r"    def (?P<py>\w+)\(self\) -> (?P<hint>[^\n]+):\n"
    r'(?:        """\n(?P<doc>.*?)""")?',
    re.S,
)
#: An input named like a policy document.
POLICY_NAME = re.compile(r"(?i)polic(?:y|ies)(?:document|text|body|template)?$")
#: The document of a type named for a policy or permission may go by a plain name
#: (``aws:organizations/resourcePolicy:ResourcePolicy``'s ``content``).
POLICY_TYPE = re.compile(r"(?i)(?:polic(?:y|ies)|permissions?)$")
PLAIN_NAME = re.compile(r"content|document|statement")
#: A type that holds a document: a JSON string, a free-form object, pulumi-aws's PolicyDocument.
_DOCUMENT_HINT = re.compile(r"_builtins\.str|Any|Union\[_builtins\.str, '\w*DocumentArgs'\]")
_NESTED_HINT = re.compile(r"'(\w+Args)'|Sequence\[pulumi\.Input\['(\w+Args)'\]\]")


_WRAPPED = re.compile(r"(?:pulumi\.Input|Optional)\[(.*)\]")


def _strip(hint: str) -> str:
    hint = hint.strip()
    while match := _WRAPPED.fullmatch(hint):
        hint = match.group(1).strip()
    return hint


def _classes(text: str) -> dict[str, tuple[int, int]]:
    first = _FIRST_CLASS.match(text)
    starts = [(0, first.group(1))] if first else []
    starts += [(m.start() + 1, m.group(1)) for m in _CLASS.finditer(text)]
    ends = [start for start, _ in starts[1:]] + [len(text)]
    return {name: (start, end) for (start, name), end in zip(starts, ends, strict=True)}


def _getters(text: str, span: tuple[int, int]) -> Iterator[tuple[str, str, str]]:
    for match in _GETTER.finditer(text, *span):
        yield match.group("wire") or match.group("py"), _strip(match.group("hint")), match.group("doc") or ""


def scan(root: Path) -> dict[tuple[str, str], str]:
    """(type token, input path) -> docstring of every policy-document input of the packages
    under ``root`` (``pulumi_aws``, ``pulumi_aws_native``), read from their generated source."""
    found: dict[tuple[str, str], str] = {}
    nested: dict[Path, tuple[str, dict[str, tuple[int, int]]]] = {}

    def inputs_of(folder: Path) -> tuple[str, dict[str, tuple[int, int]]]:
        if folder not in nested:
            source = folder / "_inputs.py"
            text = source.read_text() if source.exists() else ""
            nested[folder] = (text, _classes(text))
        return nested[folder]

    def walk(token: str, text: str, span: tuple[int, int], folder: Path, prefix: str, depth: int) -> None:
        for wire, hint, doc in _getters(text, span):
            path = prefix + wire
            if _DOCUMENT_HINT.fullmatch(hint):
                plain = (
                    not prefix and PLAIN_NAME.fullmatch(wire) and POLICY_TYPE.search(token.rsplit(":", 1)[-1])
                )
                if POLICY_NAME.search(wire) or plain:
                    found[token, path] = " ".join(doc.split())
                continue
            match = _NESTED_HINT.fullmatch(hint)
            if match is None or depth >= 3:
                continue
            inner_text, inner_classes = inputs_of(folder)
            inner = inner_classes.get(match.group(1) or match.group(2))
            if inner is None:
                continue
            step = f"{path}[]." if match.group(2) else f"{path}."
            if next(_getters(inner_text, inner), None) is None:  # no properties: a free-form object
                if POLICY_NAME.search(wire):
                    found[token, path] = "(a free-form object)"
            else:
                walk(token, inner_text, inner, folder, step, depth + 1)

    for token, text, args, folder in resource_args(root):
        walk(token, text, args, folder, "", 0)
    return found


def resource_args(
    root: Path, every_type: Callable[[str], object] = lambda token: None
) -> Iterator[tuple[str, str, tuple[int, int], Path]]:
    """(type token, module source, span of its ``...Args``/``...InitArgs`` class, module folder) of
    every resource of the packages under ``root`` (``pulumi_aws``, ``pulumi_aws_native``), read from
    their generated source; ``every_type`` is told each resource's type token, with args or not."""
    for package in ("pulumi_aws", "pulumi_aws_native"):
        for source in sorted((root / package).rglob("*.py")):
            if source.name.startswith(("_", "get_")) or source.name == "outputs.py":
                continue
            text = source.read_text()
            tokens = _TOKEN.findall(text)
            if not tokens:
                continue
            classes = _classes(text)
            for class_name, token in tokens:
                every_type(token)
                for args in (f"{class_name}Args", f"{class_name}InitArgs"):
                    if args in classes:
                        yield token, text, classes[args], source.parent


def inputs_named(
    root: Path, name: re.Pattern[str], depth: int, every_type: Callable[[str], object] = lambda token: None
) -> set[str]:
    """``type path`` of each input of the providers under ``root`` (:func:`resource_args`) whose wire
    name ``name`` matches in full, at the top or inside nested blocks ``depth`` levels down (``a.b``
    through an object, ``a[].b`` through a list): the class scans of the switch rules."""
    found: set[str] = set()
    nested: dict[Path, tuple[str, dict[str, tuple[int, int]]]] = {}

    def inputs_of(folder: Path) -> tuple[str, dict[str, tuple[int, int]]]:
        if folder not in nested:
            source = folder / "_inputs.py"
            text = source.read_text() if source.exists() else ""
            nested[folder] = (text, _classes(text) if text else {})
        return nested[folder]

    def walk(token: str, text: str, span: tuple[int, int], folder: Path, prefix: str, level: int) -> None:
        for wire, hint, _ in _getters(text, span):
            path = prefix + wire
            if name.fullmatch(wire):
                found.add(f"{token} {path}")
            match = _NESTED_HINT.fullmatch(hint)
            if match is None or level >= depth:
                continue
            inner_text, inner_classes = inputs_of(folder)
            inner = inner_classes.get(match.group(1) or match.group(2))
            if inner is not None:
                step = f"{path}[]." if match.group(2) else f"{path}."
                walk(token, inner_text, inner, folder, step, level + 1)

    for token, text, args, folder in resource_args(root, every_type=every_type):
        walk(token, text, args, folder, "", 0)
    return found


PROVIDERS = ("pulumi_aws", "pulumi_aws_native")


def provider_sources() -> tuple[Path, list[str | bytes]]:
    """The folder holding the installed ``pulumi_aws`` and ``pulumi_aws_native``, and a
    :func:`computed_once` key naming the sources a scan of it reads: the folder and each package's
    ``RECORD`` (the hash of every installed file), beside the versions the code's fingerprint holds."""
    spec = importlib.util.find_spec("pulumi_aws")
    assert spec is not None and spec.submodule_search_locations
    root = Path(next(iter(spec.submodule_search_locations))).parent
    records = [importlib.metadata.distribution(name).read_text("RECORD") or "" for name in PROVIDERS]
    return root, [str(root), *records]


@functools.cache
def installed() -> dict[tuple[str, str], str]:
    """:func:`scan` of the installed providers, read once per version of them (computed_once)."""
    root, key = provider_sources()
    return computed_once("installed", lambda: scan(root), key=key)


#: Document inputs the rule reads as a permission's one statement, not through DOCUMENTS.
STATEMENT_INPUTS = {("aws-native:events:EventBusPolicy", "statement")}


def unclassified(candidates: dict[tuple[str, str], str]) -> list[str]:
    judged = {(token, path) for token in DOCUMENTS for path in document_paths(token)} | STATEMENT_INPUTS
    return [
        f"{token} {path}: {doc[:160]}"
        for (token, path), doc in sorted(candidates.items())
        if (token, path) not in judged
        and (token, path) not in NOT_RESOURCE_POLICIES
        and path.rsplit(".", 1)[-1].removesuffix("[]") not in SETTING_NAMES
    ]


# --- the class is complete ------------------------------------------------------------------------


def test_every_policy_document_input_of_the_installed_providers_is_classified() -> None:
    missing = unclassified(installed())
    assert not missing, (
        "policy-document inputs nobody classified: add each to DOCUMENTS (a resource-based policy) "
        "or to NOT_RESOURCE_POLICIES/SETTING_NAMES with why (policies/rules/_resource_policy_types.py):\n"
        + "\n".join(missing)
    )


def test_the_scan_finds_each_shape_a_resource_policy_takes() -> None:
    candidates = installed()
    assert len(candidates) > 250
    for shape in [
        ("aws:dynamodb/resourcePolicy:ResourcePolicy", "policy"),  # a JSON string
        ("aws:sqs/queuePolicy:QueuePolicy", "policy"),  # str or PolicyDocument
        ("aws-native:kinesis:ResourcePolicy", "resourcePolicy"),  # Any
        ("aws-native:s3tables:TableBucketPolicy", "resourcePolicy"),  # an object with no properties
        ("aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy", "details.policy"),
        ("aws-native:dynamodb:GlobalTable", "replicas[].resourcePolicy.policyDocument"),  # in a list
        ("aws:s3/bucket:Bucket", "policy"),  # behind a deprecation decorator
        ("aws-native:iam:RolePolicy", "policyDocument"),  # in a ...InitArgs class
    ]:
        assert shape in candidates, shape


def test_a_provider_adding_an_unclassified_resource_policy_fails_the_check(tmp_path: Path) -> None:
    """A generated resource of a made-up service, shaped as pulumi-aws writes one."""
    folder = tmp_path / "pulumi_aws" / "newservice"
    folder.mkdir(parents=True)
    (folder / "vault_policy.py").write_text(
        "@pulumi.input_type\n"
        "class VaultPolicyArgs:\n"
        "    @_builtins.property\n"
        '    @pulumi.getter(name="accessPolicyDocument")\n'
        "    def access_policy_document(self) -> pulumi.Input[_builtins.str]:\n"
        '        """\n'
        "        JSON resource-based policy of the vault.\n"
        '        """\n'
        '        return pulumi.get(self, "access_policy_document")\n'
        "\n"
        "    @_builtins.property\n"
        "    @pulumi.getter\n"
        "    def policy(self) -> pulumi.Input[_builtins.str]:\n"
        '        return pulumi.get(self, "policy")\n'
        "\n"
        "class VaultPolicy(pulumi.CustomResource):\n"
        "    def _internal_init(__self__):\n"
        "        super(VaultPolicy, __self__).__init__(\n"
        "            'aws:newservice/vaultPolicy:VaultPolicy',\n"
        "            resource_name)\n"
    )
    (tmp_path / "pulumi_aws_native").mkdir()
    assert unclassified(scan(tmp_path)) == [
        "aws:newservice/vaultPolicy:VaultPolicy accessPolicyDocument: JSON resource-based policy of the vault.",
        "aws:newservice/vaultPolicy:VaultPolicy policy: ",
    ]


def test_the_tables_name_only_inputs_the_providers_have() -> None:
    candidates = installed()
    stale = [
        (token, path)
        for token in DOCUMENTS
        for path in document_paths(token)
        if (token, path) not in candidates
    ] + [key for key in NOT_RESOURCE_POLICIES if key not in candidates]
    assert stale == []
    leaves = {path.rsplit(".", 1)[-1].removesuffix("[]") for _, path in candidates}
    assert sorted(set(SETTING_NAMES) - leaves) == []
    judged = {(token, path) for token in DOCUMENTS for path in document_paths(token)}
    assert judged.isdisjoint(NOT_RESOURCE_POLICIES)
    assert not {path.rsplit(".", 1)[-1].removesuffix("[]") for _, path in judged} & set(SETTING_NAMES)


def test_the_rule_checks_every_type_of_the_table() -> None:
    assert set(DOCUMENTS) <= set(PublicResourcePolicy.resource_types())
    assert PublicResourcePolicy.DOCUMENTS is DOCUMENTS


# --- semantics on the types added -----------------------------------------------------------------

#: (type, path, other inputs, the document as the type's input takes it: "json" or "object").
ADDED = [
    pytest.param(
        "aws:dynamodb/resourcePolicy:ResourcePolicy", "policy", {"resourceArn": "arn"}, "json", id="dynamodb"
    ),
    pytest.param(
        "aws:kinesis/resourcePolicy:ResourcePolicy", "policy", {"resourceArn": "arn"}, "json", id="kinesis"
    ),
    pytest.param(
        "aws:opensearch/domainPolicy:DomainPolicy",
        "accessPolicies",
        {"domainName": "d"},
        "json",
        id="opensearch",
    ),
    pytest.param("aws:opensearch/domain:Domain", "accessPolicies", {}, "json", id="opensearch-domain"),
    pytest.param(
        "aws:apigateway/restApiPolicy:RestApiPolicy", "policy", {"restApiId": "a"}, "json", id="rest-api"
    ),
    pytest.param(
        "aws:efs/fileSystemPolicy:FileSystemPolicy", "policy", {"fileSystemId": "fs"}, "json", id="efs"
    ),
    pytest.param(
        "aws:backup/vaultPolicy:VaultPolicy", "policy", {"backupVaultName": "v"}, "json", id="backup"
    ),
    pytest.param(
        "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy",
        "policyDocument",
        {"domain": "d", "repository": "r"},
        "json",
        id="codeartifact",
    ),
    pytest.param(
        "aws:ses/identityPolicy:IdentityPolicy", "policy", {"identity": "i", "name": "n"}, "json", id="ses"
    ),
    pytest.param(
        "aws:redshiftserverless/resourcePolicy:ResourcePolicy",
        "policy",
        {"resourceArn": "a"},
        "json",
        id="redshift-serverless",
    ),
    pytest.param(
        "aws:vpclattice/authPolicy:AuthPolicy",
        "policy",
        {"resourceIdentifier": "s"},
        "json",
        id="lattice-auth",
    ),
    pytest.param(
        "aws:networkfirewall/resourcePolicy:ResourcePolicy",
        "policy",
        {"resourceArn": "a"},
        "json",
        id="network-firewall",
    ),
    pytest.param("aws:acmpca/policy:Policy", "policy", {"resourceArn": "a"}, "json", id="acm-pca"),
    pytest.param(
        "aws:xray/resourcePolicy:ResourcePolicy", "policyDocument", {"policyName": "p"}, "json", id="xray"
    ),
    pytest.param(
        "aws:schemas/registryPolicy:RegistryPolicy", "policy", {"registryName": "r"}, "json", id="schemas"
    ),
    pytest.param("aws:glacier/vault:Vault", "accessPolicy", {}, "json", id="glacier"),
    pytest.param(
        "aws:s3tables/tableBucketPolicy:TableBucketPolicy",
        "resourcePolicy",
        {"tableBucketArn": "a"},
        "json",
        id="s3-tables",
    ),
    pytest.param(
        "aws-native:kinesis:ResourcePolicy",
        "resourcePolicy",
        {"resourceArn": "a"},
        "object",
        id="native-kinesis",
    ),
    pytest.param(
        "aws-native:opensearchservice:Domain", "accessPolicies", {}, "object", id="native-opensearch"
    ),
    pytest.param(
        "aws-native:dynamodb:Table",
        "resourcePolicy.policyDocument",
        {"keySchema": []},
        "object",
        id="native-table",
    ),
    pytest.param(
        "aws-native:vpclattice:AuthPolicy",
        "policy",
        {"resourceIdentifier": "s"},
        "object",
        id="native-lattice",
    ),
    pytest.param(
        "aws-native:s3tables:TableBucketPolicy",
        "resourcePolicy",
        {"tableBucketArn": "a"},
        "object",
        id="native-s3-tables",
    ),
    pytest.param(
        "aws-native:aps:ResourcePolicy",
        "policyDocument",
        {"workspaceArn": "a"},
        "json",
        id="native-prometheus",
    ),
]

ANYONE = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _inputs(path: str, others: dict[str, Any], document: Any, form: str) -> dict[str, Any]:
    value: Any = json.dumps(document) if form == "json" and isinstance(document, dict) else document
    for key in reversed(path.split(".")):
        value = {key: value}
    return {**others, **value}


def _judge(token: str, inputs: dict[str, Any], *, outputs: bool) -> tuple[list[str], int]:
    return findings(RULE, token, inputs, outputs=outputs)


@pytest.mark.parametrize("outputs", [False, True], ids=["preview", "after-create"])
@pytest.mark.parametrize(("token", "path", "others", "form"), ADDED)
def test_anyone_is_refused_and_a_pinned_caller_or_named_account_passes(
    token: str, path: str, others: dict[str, Any], form: str, outputs: bool
) -> None:
    found, undecided = _judge(token, _inputs(path, others, _document(ANYONE), form), outputs=outputs)
    assert undecided == 0 and len(found) == 1, found
    assert found[0].startswith(f"{path} Statement[0] allows Principal '*' without a restricting condition")
    passing = [
        {**ANYONE, "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}},
        {**ANYONE, "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}},
        {**ANYONE, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}},
    ]
    for statement in passing:
        assert _judge(token, _inputs(path, others, _document(statement), form), outputs=outputs) == ([], 0), (
            statement
        )
    # A condition that pins nothing (a wildcard account, a negation) does not save it.
    for condition in (
        {"StringLike": {"aws:SourceAccount": "*"}},
        {"StringNotEquals": {"aws:PrincipalOrgID": ORG}},
    ):
        statement = {**ANYONE, "Condition": condition}
        assert len(_judge(token, _inputs(path, others, _document(statement), form), outputs=outputs)[0]) == 1


@pytest.mark.parametrize(("token", "path", "others", "form"), ADDED)
def test_at_preview_an_unknown_that_decides_is_undecided_and_one_that_does_not_is_ignored(
    token: str, path: str, others: dict[str, Any], form: str
) -> None:
    whole = _inputs(path, others, UNKNOWN_STRING_VALUE, form)
    assert _judge(token, whole, outputs=False) == ([], 1)
    principal = _document({**ANYONE, "Principal": UNKNOWN_STRING_VALUE})
    assert _judge(token, _inputs(path, others, principal, "object"), outputs=False) == ([], 1)
    pinned_unknown_resource = _document(
        {
            **ANYONE,
            "Resource": UNKNOWN_STRING_VALUE,
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    )
    assert _judge(token, _inputs(path, others, pinned_unknown_resource, "object"), outputs=False) == ([], 0)
    open_unknown_resource = _document({**ANYONE, "Resource": UNKNOWN_STRING_VALUE})
    found, undecided = _judge(token, _inputs(path, others, open_unknown_resource, "object"), outputs=False)
    assert len(found) == 1 and undecided == 0


@pytest.mark.parametrize(("token", "path", "others", "form"), ADDED)
def test_no_policy_is_nothing_to_judge_before_and_after_create(
    token: str, path: str, others: dict[str, Any], form: str
) -> None:
    assert _judge(token, others, outputs=False) == ([], 0)
    # After create the provider reports an unset string policy as "" (engine_shapes).
    assert _judge(token, others, outputs=True) == ([], 0)


def test_a_list_of_replicas_is_read_element_by_element() -> None:
    token = "aws-native:dynamodb:GlobalTable"
    open_replica = {"region": "eu-west-1", "resourcePolicy": {"policyDocument": _document(ANYONE)}}
    pinned = {
        "region": "eu-central-1",
        "resourcePolicy": {
            "policyDocument": _document(
                {**ANYONE, "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}}
            )
        },
    }
    found, undecided = _judge(token, {"replicas": [pinned, open_replica]}, outputs=False)
    assert undecided == 0 and len(found) == 1
    assert found[0].startswith("replicas[1].resourcePolicy.policyDocument Statement[0] allows Principal '*'")
    stream = {
        "region": "eu-west-1",
        "replicaStreamSpecification": {"resourcePolicy": {"policyDocument": _document(ANYONE)}},
    }
    assert _judge(token, {"replicas": [pinned, stream]}, outputs=False)[0][0].startswith(
        "replicas[1].replicaStreamSpecification.resourcePolicy.policyDocument Statement[0]"
    )
    assert _judge(token, {"replicas": [pinned]}, outputs=False) == ([], 0)
    # One replica unknown at preview: the known public one is still reported, the rest undecided.
    found, undecided = _judge(token, {"replicas": [open_replica, UNKNOWN_STRING_VALUE]}, outputs=False)
    assert len(found) == 1 and undecided == 1


def test_a_table_stream_policy_is_read_too() -> None:
    token = "aws-native:dynamodb:Table"
    stream = {
        "streamViewType": "NEW_IMAGE",
        "resourcePolicy": {"policyDocument": json.dumps(_document(ANYONE))},
    }
    found, _ = _judge(token, {"streamSpecification": stream}, outputs=False)
    assert len(found) == 1 and found[0].startswith(
        "streamSpecification.resourcePolicy.policyDocument Statement[0]"
    )


@pytest.mark.parametrize(
    ("token", "path"),
    [
        ("aws:ec2/vpcEndpoint:VpcEndpoint", "policy"),
        ("aws-native:ec2:VpcEndpoint", "policyDocument"),
        ("aws:iam/policy:Policy", "policy"),
        ("aws:sns/dataProtectionPolicy:DataProtectionPolicy", "policy"),
        ("aws:sqs/queue:Queue", "redriveAllowPolicy"),
    ],
)
def test_excluded_inputs_are_not_read_by_the_rule(token: str, path: str) -> None:
    """A VPC endpoint policy's Principal '*' is its default (full access through the endpoint for
    callers already in the network): nothing is public, nothing is reported."""
    assert (token, path) in NOT_RESOURCE_POLICIES or path in SETTING_NAMES
    assert path not in document_paths(token)
    assert _judge(token, {path: json.dumps(_document(ANYONE))}, outputs=False) == ([], 0)


# --- the document as a Pulumi program gives it (an Output of a JSON string, an object) -----------


def _program() -> None:
    import pulumi
    import pulumi_aws as aws
    import pulumi_aws_native as aws_native

    table = aws.dynamodb.Table(
        "table", hash_key="id", attributes=[{"name": "id", "type": "S"}], billing_mode="PAY_PER_REQUEST"
    )
    statement = {"Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetItem", "Resource": table.arn}
    aws.dynamodb.ResourcePolicy(
        "open", resource_arn=table.arn, policy=pulumi.Output.json_dumps(_document(statement))
    )
    pinned = {**statement, "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}}
    aws.dynamodb.ResourcePolicy(
        "pinned", resource_arn=table.arn, policy=pulumi.Output.json_dumps(_document(pinned))
    )
    aws_native.kinesis.ResourcePolicy(
        "native-open",
        resource_arn="arn:aws:kinesis:eu-west-1:111122223333:stream/s",
        resource_policy=_document({**ANYONE, "Resource": table.arn}),
    )


def test_an_output_json_string_and_an_object_from_a_program_are_read_before_and_after_create() -> None:
    from planner.recorder import record_program

    graph = record_program(_program)
    policy = get_policy(RULE)
    for records in (graph.cloud_resources, engine_shapes.as_outputs(graph.cloud_resources)):
        report = evaluate_report(records, None, [policy])
        assert sorted(
            (v.urn.rsplit("::", 1)[-1], v.message.split(" without")[0]) for v in report.violations
        ) == [
            ("native-open", "resourcePolicy Statement[0] allows Principal '*'"),
            ("open", "policy Statement[0] allows Principal '*'"),
        ]
        assert report.undecided == []
