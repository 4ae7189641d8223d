"""Encryption at rest of every data store, as a class: an adopter's stack may hold its own databases,
volumes, file systems and streams beside the platform's components, and a store left unencrypted is a
finding however the platform's own resources are built.

:data:`ENCRYPTION_SWITCHES` (``_encryption_switches.py``) is the class: each type whose data at rest
is encrypted only when an input says so, the input(s) read, the values that encrypt, and what an
*unset* input means (AWS's or the provider's default, from the provider's docstring and the service's
API reference). An explicit off
(``false``, ``NONE``, ``DISABLED``) is refused, unless another input makes AWS encrypt anyway (a durable
ElastiCache group); an unset input is refused where the default stores the data
unencrypted, and passes where it encrypts or where the resource takes its encryption from a source it
names (a snapshot, a replica's source, a global cluster): that source is judged where it is declared.
An unknown value is undecided (the engine's ``UnknownValueError``), never a violation.

Every other input of the installed providers named like an encryption-at-rest switch is listed in
``NOT_ENCRYPTION_SWITCHES`` (``_encryption_classes.py``) with why it is none (encryption in transit, a key
whose absence still encrypts under an AWS key, an image's read-back devices...) or in ``NOT_YET_JUDGED``
with why this rule does not judge it yet (``tests/policies/test_encryption_at_rest_65.py`` scans the SDKs and fails on one
in none of the three tables).

The S3, SNS, SQS, CloudWatch Logs, SageMaker, Athena, CloudTrail and EKS rules judge their own types
(with a customer key); this rule asks only that the data be encrypted at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ._common import (
    FSBP,
    MANDATORY,
    MEDIUM,
    any_holds,
    framework,
    get,
    is_false,
    is_seq,
    is_set,
    is_true,
    items,
    resource_rule,
    shown,
)
from ._encryption_switches import ENCRYPTION_SWITCHES, Switch

Check = Iterator[str]

_WOULD = "its data would be stored unencrypted at rest."
_UNSEEN = (
    "its data may be stored unencrypted at rest, and no resource check can tell (an "
    "aws.ebs.EncryptionByDefault, even in this stack, is another resource); setting the switch encrypts "
    "whatever the account says."
)


def _encrypts(value: Any, on: tuple[Any, ...]) -> bool:
    if (True in on and is_true(value)) or (False in on and is_false(value)):
        return True
    return isinstance(value, str) and value.strip().upper() in {
        str(v).upper() for v in on if isinstance(v, str)
    }


def _leaves(obj: Any, path: str, shown_path: str = "") -> Iterator[tuple[str, Any]]:
    """``(path with indexes, value)`` of each value ``path`` reaches; an unset value reads None, a list
    step over an unset list reaches nothing. An unknown value, list or list element is reached as its
    ``UnknownValueError``, and the other elements are still reached."""
    head, sep, rest = path.partition("[].")
    try:
        value = get(obj, head if sep else path)
    except UnknownValueError as error:
        yield shown_path + (head if sep else path), error
        return
    if not sep:
        yield shown_path + path, value
        return
    elements = value if is_seq(value) else items(value)
    for index in range(len(elements)):
        try:
            element = elements[index]
        except UnknownValueError as error:
            yield f"{shown_path}{head}[{index}]", error
            continue
        yield from _leaves(element, rest, f"{shown_path}{head}[{index}].")


def _any_set(props: Any, paths: tuple[str, ...]) -> bool:
    """Whether one of ``paths`` is set; an unknown one raises only when no other is known set."""
    return any_holds(functools.partial(_is_set_at, props, path) for path in paths)


def _is_set_at(props: Any, path: str) -> bool:
    return is_set(get(props, path))


def _unset_encrypts(props: Any, switch: Switch) -> bool:
    """Whether an unset switch still encrypts (or follows a source it names). An unknown source or
    ``unless`` input decides only when no known one does (then it raises)."""
    if switch.unset is None:
        return True
    unknown: UnknownValueError | None = None
    try:
        if _any_set(props, switch.sources):
            return True
    except UnknownValueError as error:
        unknown = error
    if switch.unless is not None:
        path, values = switch.unless
        value = get(props, path)  # an unknown raises: it decides
        if isinstance(value, str) and value.lower() in values:
            return True
    if unknown is not None:
        raise unknown
    return False


def _encrypted_anyway(props: Any, switch: Switch) -> bool:
    """Whether AWS encrypts the store whatever the switch says (every pair of ``Switch.always`` holds): one
    known not to hold decides (False); an unknown one raises only when none is known not to hold."""
    unknown: UnknownValueError | None = None
    for path, values in switch.always:
        try:
            value = get(props, path)
        except UnknownValueError as error:
            unknown = unknown or error
            continue
        if not (isinstance(value, str) and value.lower() in values):
            return False
    if unknown is not None:
        raise unknown
    return bool(switch.always)


def _beside(path: str, name: str) -> str:
    """The path of ``name`` in the object holding ``path``'s last step."""
    head, dot, _ = path.rpartition(".")
    return f"{head}{dot}{name}"


def _either(props: Any, switch: Switch, *tests: Callable[[Any, Switch], bool]) -> bool:
    """Whether one of ``tests`` holds; an unknown raises only when none is known to hold."""
    return any_holds(functools.partial(test, props, switch) for test in tests)


def _encrypted_at_rest(args: ResourceValidationArgs, _: Mapping[str, Any]) -> Check:
    """Each decided finding, then the first unknown that left a switch undecided (if any): an unknown
    never hides a known off elsewhere in the resource, whatever the order of switches and elements."""
    unknown: UnknownValueError | None = None
    for switch in ENCRYPTION_SWITCHES[args.resource_type]:
        try:
            if _any_set(args.props, switch.stores_nothing):
                continue
        except UnknownValueError as error:
            # Stores nothing or not: any value of the switch passes with a source, so none is decided.
            unknown = unknown or error
            continue
        gates = _leaves(args.props, _beside(switch.path, switch.stores_when)) if switch.stores_when else None
        for path, value in _leaves(args.props, switch.path):
            # The gate beside this element (the same list steps reach both): whether it stores anything.
            if gates is not None:
                gate = next(gates)[1]
                if isinstance(gate, UnknownValueError):
                    # Undecided unless the switch is known on (then either way passes).
                    if isinstance(value, UnknownValueError) or not _encrypts(value, switch.on):
                        unknown = unknown or gate
                    continue
                if not is_true(gate):
                    continue  # not known to store anything: any value passes, an unknown one too
            if isinstance(value, UnknownValueError):
                unknown = unknown or value
            # '' is unset: pulumi-aws's string switches (a launch template's ebs.encrypted "true"/"false")
            # send and read back '' when not given.
            elif value is None or value == "":
                try:
                    encrypts = _either(args.props, switch, _unset_encrypts, _encrypted_anyway)
                except UnknownValueError as error:
                    unknown = unknown or error
                    continue
                if not encrypts:
                    yield (
                        f"{args.name}: {path} is unset and {switch.unset}: {_UNSEEN if switch.unseen else _WOULD}"
                        f" Fix: set {switch.fix}."
                    )
            elif _encrypts(value, switch.on):
                continue
            else:
                try:
                    if _encrypted_anyway(args.props, switch):
                        continue
                except UnknownValueError as error:
                    unknown = unknown or error
                    continue
                yield (
                    f"{args.name}: {path} is {shown(value)}, which stores its data unencrypted at rest. "
                    f"Fix: set {switch.fix}."
                )
    if unknown is not None:
        raise unknown


data_stores_encrypted_at_rest = resource_rule(
    name="data-stores-encrypted-at-rest",
    description=(
        "Data stores are encrypted at rest, as a class (ENCRYPTION_SWITCHES in "
        "policies/rules/_encryption_switches.py): an explicit off (false, 'NONE', 'DISABLED', encryptionDisabled "
        "true) is refused, and so is an unset switch whose default stores data unencrypted (RDS instances and clusters, "
        "DocumentDB and Neptune clusters, global clusters without a source, EFS, Kinesis streams, Direct PUT "
        "Firehose streams, Redis OSS replication groups, OpenSearch domains, DAX, WorkSpaces volumes, the Glue "
        "Data Catalog, Glue job bookmarks, API Gateway methods that cache, EBS volumes and imported snapshots left to the account's default). "
        "Fix: set encrypted/storage_encrypted/at_rest_encryption_enabled=True, encryption_type='KMS', "
        "encrypt_at_rest.enabled=True, catalog_encryption_mode='SSE-KMS', "
        "job_bookmarks_encryption_mode='CSE-KMS', ebs_encryption='DEFAULT', cache_data_encrypted=True or encryption_disabled=False "
        "(optionally with your KMS key)."
    ),
    resource_types=list(ENCRYPTION_SWITCHES),
    check=_encrypted_at_rest,
    enforcement_level=MANDATORY,
    severity=MEDIUM,
    framework=framework(
        FSBP,
        "RDS.3",
        "RDS.27, EFS.1, Kinesis.1, DocumentDB.1, Neptune.1, Redshift.10, ElastiCache.4, Opensearch.1; "
        "Cfg rds-cluster-encrypted-at-rest, efs-encrypted-check, kinesis-stream-encrypted",
    ),
    tags=["encryption"],
)

POLICIES = [data_stores_encrypted_at_rest]
