"""A Kubernetes resource quantity is read as the API server reads it (policies/rules/_k8s_quantities.py).

``k8s-resources-bounded`` read a number where it could and took anything else as bounding: a float
``inf`` limit passed (``inf > 0``), and so did text it could not read (``"inf"``, ``"2GB"``, ``true``),
though the API server refuses every one of them (apimachinery quantity.go ``ParseQuantity``; a JSON
number is read as its text). Now a value that is no quantity bounds nothing, stands in for no request,
and is refused wherever it is in ``requests`` or ``limits`` (GPUs and ephemeral-storage too, in a patch
as well); ``k8s-gpu-pods-well-formed`` compares GPU amounts, not spellings.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules._k8s_quantities import quantity
from tests.policies.one_resource import assert_decided, findings

RULE = "k8s-resources-bounded"
GPU_RULE = "k8s-gpu-pods-well-formed"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
GPU = "nvidia.com/gpu"
AT = "spec.template.spec.containers[0].resources"
BOUNDED = {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "2Gi"}}


def _deployment(resources: dict[str, Any], **pod: Any) -> dict[str, Any]:
    container = {"name": "server", "image": "model@sha256:abc", "resources": copy.deepcopy(resources)}
    spec = {"containers": [container], **pod}
    return {"metadata": {"namespace": "serving"}, "spec": {"template": {"spec": spec}}}


def _with(kind: str, name: str, value: Any) -> dict[str, Any]:
    resources = copy.deepcopy(BOUNDED)
    resources[kind][name] = value
    return resources


VALID = [
    ("1", Decimal(1)), ("500m", Decimal("0.5")), ("2Gi", Decimal(2 * 2**30)), ("1e3", Decimal(1000)),
    ("1E3", Decimal(1000)), ("1E", Decimal(10**18)), ("+.5", Decimal("0.5")), ("1.", Decimal(1)),
    (" 2 ", Decimal(2)), ("1.5Ki", Decimal(1536)), ("100n", Decimal("1E-7")), ("-1", Decimal(-1)),
    ("+", Decimal(0)), (".", Decimal(0)), ("Ki", Decimal(0)), (2, Decimal(2)), (0.5, Decimal("0.5")),
]  # fmt: skip
#: No quantity: the API server refuses each (non-finite, a unit it has not, a second point, an exponent
#: without digits, a suffix with digits after it, blank, a boolean, a map).
INVALID = [
    "inf",
    "nan",
    "Infinity",
    "2GB",
    "1.5.0",
    "1e",
    "1Ki5",
    "1 Gi",
    "",
    " ",
    "0x10",
    "1e1.5",
    True,
    {"a": 1},
]
INVALID_FLOATS = [float("inf"), float("nan"), float("-inf")]


@pytest.mark.parametrize(("value", "amount"), VALID, ids=[repr(v) for v, _ in VALID])
def test_the_grammar_reads_what_the_api_server_takes(value: Any, amount: Decimal) -> None:
    assert quantity(value) == amount


@pytest.mark.parametrize("value", [*INVALID, *INVALID_FLOATS, None], ids=repr)
def test_the_grammar_refuses_what_the_api_server_refuses(value: Any) -> None:
    assert quantity(value) is None


@pytest.mark.parametrize("value", [v for v in [*INVALID, *INVALID_FLOATS] if v not in ("", " ")], ids=repr)
def test_a_limit_that_is_no_quantity_bounds_nothing(value: Any) -> None:
    assert_decided(
        findings(RULE, DEPLOYMENT, _deployment(_with("limits", "cpu", value))),
        f"{AT}.limits['cpu'] is ",
        "not a Kubernetes quantity",
    )


@pytest.mark.parametrize("value", ["2", "1.5", "+.5", "1e3", 3, 0.25, " 2 ", "2000m"], ids=repr)
def test_a_positive_quantity_in_any_spelling_bounds(value: Any) -> None:
    assert_decided(findings(RULE, DEPLOYMENT, _deployment(_with("limits", "cpu", value))), None)


def test_a_limit_that_is_no_quantity_does_not_stand_in_for_the_request() -> None:
    resources = {"limits": {"cpu": "inf", "memory": "2Gi"}}
    messages, undecided = findings(RULE, DEPLOYMENT, _deployment(resources))
    assert undecided == 0
    assert sorted(m.split(":")[0] for m in messages) == [
        f"{AT}.limits['cpu'] is 'inf'",
        f"{AT}.requests.cpu is unset",
    ]
    resources["limits"]["cpu"] = "1"  # near miss: a quantity stands in
    assert_decided(findings(RULE, DEPLOYMENT, _deployment(resources)), None)


@pytest.mark.parametrize(
    ("kind", "name", "value", "refused"),
    [
        pytest.param("requests", "memory", "1GB", True, id="request-in-a-unit-kubernetes-has-not"),
        pytest.param("requests", "memory", "1G", False, id="request-in-decimal-si"),
        pytest.param("limits", GPU, "one", True, id="gpu-limit-in-words"),
        pytest.param("limits", GPU, "1", False, id="gpu-limit"),
        pytest.param(
            "limits", "ephemeral-storage", "10GB", True, id="ephemeral-storage-unit-kubernetes-has-not"
        ),
        pytest.param("limits", "ephemeral-storage", "10Gi", False, id="ephemeral-storage"),
        pytest.param(
            "requests", "ephemeral-storage", float("inf"), True, id="ephemeral-storage-infinite-request"
        ),
    ],
)
def test_every_request_and_limit_must_be_a_quantity(kind: str, name: str, value: Any, refused: bool) -> None:
    resources = _with(kind, name, value)
    if name == GPU:
        resources["requests"][GPU] = value
    result = findings(RULE, DEPLOYMENT, _deployment(resources))
    if not refused:
        assert_decided(result, None)
    else:
        messages, undecided = result
        assert undecided == 0 and messages, messages
        assert all(f"['{name}'] is " in m and "not a Kubernetes quantity" in m for m in messages), messages


def test_a_patch_is_judged_on_the_quantities_it_sets() -> None:
    patch = _deployment({"limits": {"cpu": "inf"}})
    assert_decided(findings(RULE, DEPLOYMENT + "Patch", patch), f"{AT}.limits['cpu'] is 'inf'")
    patch = _deployment({"limits": {"cpu": "2"}})
    assert_decided(findings(RULE, DEPLOYMENT + "Patch", patch), None)


def test_a_quantity_unknown_at_preview_is_not_judged() -> None:
    resources = _with("limits", GPU, UNKNOWN_STRING_VALUE)
    assert_decided(findings(RULE, DEPLOYMENT, _deployment(resources)), None)


@pytest.mark.parametrize(
    ("requested", "differs"),
    [("1000m", False), ("1", False), (1, False), ("1e0", False), ("2", True), ("1001m", True)],
    ids=["milli", "text", "int", "exponent", "two", "a-milli-more"],
)
def test_gpu_requests_and_limits_are_compared_as_amounts(requested: Any, differs: bool) -> None:
    resources = {"requests": {GPU: requested}, "limits": {GPU: 1}}
    pod = _deployment(resources, nodeSelector={"nvidia.com/gpu.present": "true"})
    assert_decided(findings(GPU_RULE, DEPLOYMENT, pod), "differs from limits" if differs else None)


def test_an_empty_limit_is_unset_not_said_twice() -> None:
    assert_decided(
        findings(RULE, DEPLOYMENT, _deployment(_with("limits", "cpu", ""))), f"{AT}.limits.cpu is unset"
    )


@pytest.mark.parametrize(
    ("value", "amount"),
    [("1e1000000", Decimal("1E+1000000")), ("1E+1000000", Decimal("1E+1000000")), ("1e999999", Decimal("1E+999999"))],
    ids=repr,
)  # fmt: skip
def test_an_exponent_past_the_default_decimal_context_is_still_a_quantity(
    value: str, amount: Decimal
) -> None:
    """apimachinery reads an exponent as an int64 (suffix.go ``interpret``): ``1e1000000`` is a quantity,
    though Python's default decimal context (Emax 999999) overflows on it, which read as "no quantity"."""
    assert quantity(value) == amount
    assert quantity("-" + value) == amount.copy_negate()
    assert_decided(findings(RULE, DEPLOYMENT, _deployment(_with("limits", "memory", value))), None)


@pytest.mark.parametrize("value", ["1e" + "9" * 20, "1e-" + "9" * 20], ids=["huge", "tiny"])
def test_an_exponent_past_an_int64_is_no_quantity(value: str) -> None:
    """Near miss: apimachinery's ``strconv.ParseInt`` refuses it (ErrSuffix)."""
    assert quantity(value) is None


#: Every suffix apimachinery's tables hold (suffix.go: decimal n u m k M G T P E, binary Ki..Ei) and a
#: signed exponent, each beside a near miss it refuses: ``K`` alone (only ``k`` is decimal), a lower-case
#: or capital ``I``, ``mi``.
SUFFIXES = [
    ("5u", Decimal("0.000005")), ("1k", Decimal(10**3)), ("1M", Decimal(10**6)), ("1G", Decimal(10**9)),
    ("1T", Decimal(10**12)), ("1P", Decimal(10**15)), ("1Mi", Decimal(2**20)), ("1Ti", Decimal(2**40)),
    ("1Pi", Decimal(2**50)), ("1Ei", Decimal(2**60)), ("1e-3", Decimal("0.001")), ("1E+2", Decimal(100)),
]  # fmt: skip
NOT_SUFFIXES = ["1K", "1KI", "1ki", "1mi", "1Gb", "1e+", "1m3"]


@pytest.mark.parametrize(("value", "amount"), SUFFIXES, ids=[v for v, _ in SUFFIXES])
def test_each_suffix_scales_by_its_own_power(value: str, amount: Decimal) -> None:
    assert quantity(value) == amount


@pytest.mark.parametrize("value", NOT_SUFFIXES)
def test_a_suffix_apimachinery_has_not_is_no_quantity(value: str) -> None:
    assert quantity(value) is None
    assert_decided(
        findings(RULE, DEPLOYMENT, _deployment(_with("requests", "memory", value))),
        f"{AT}.requests['memory'] is ",
        "not a Kubernetes quantity",
    )
