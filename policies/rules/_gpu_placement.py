"""Whether a GPU pod's placement keeps it on GPU nodes (k8s-gpu-pods-well-formed): a node label that
says GPU, by its key *and* value, in ``nodeSelector`` or in every term of the required node affinity,
or a toleration Kubernetes matches to the GPU taint.

Values: a label that names GPU nodes may also be written with a value that names nodes without one.
The NVIDIA GPU operator labels GPU nodes ``nvidia.com/gpu.present=true`` and relabels a node that lost
its GPUs ``false`` (gpu-operator controllers/state_manager.go, ``labelGPUNodes``); GPU feature
discovery's ``nvidia.com/gpu.count`` and Karpenter's ``karpenter.k8s.aws/instance-gpu-count`` are
counts (Karpenter sets its GPU labels, the GPU memory too, on GPU instance types only and declares
them ``DoesNotExist`` on others: pkg/providers/instancetype/types.go, ``computeRequirements``; EKS
Auto Mode sets them as ``eks.amazonaws.com/instance-gpu-*``). So a value is read as "no GPU" when it
is, ignoring case and surrounding blanks, empty, ``false``/``no``/``off``/``none``, or a decimal
number <= 0; any other value (``true``, ``1``, ``Tesla-T4``, ``nvidia-tesla-t4``) names GPU nodes.
One rule for every configured key: no GPU model, vendor or count is spelled ``false`` or ``0``, so a
key needs no declared type. A value that is not a string (a boolean ``True``, a number) counts for
nothing: the API server refuses it (:data:`_NOT_A_STRING`).

The components' spec (components/kubernetes/_gpu_labels.py) refuses the same values with a copy of
:data:`GPU_NODE_LABELS` and :func:`says_no_gpu` (the pack imports nothing from ``components/``); a test
pins the copies equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from ._common import shown
from ._props import get, is_map, items

#: The default ``gpuNodeSelectorKeys``: labels set on GPU nodes only (or with a "no GPU" value on
#: others). The two counts: GPU feature discovery's number of GPUs, and Karpenter's, which
#: Karpenter's GPU node pools select with ``Gt 0``. EKS Auto Mode, a managed Karpenter, sets the same
#: GPU labels under ``eks.amazonaws.com/`` (its docs' "EKS Auto Mode Supported Labels"; its example
#: GPU pod selects ``eks.amazonaws.com/instance-gpu-name: l40s``, auto-accelerated.adoc).
GPU_NODE_LABELS: tuple[str, ...] = (
    "nvidia.com/gpu",
    "nvidia.com/gpu.present",
    "nvidia.com/gpu.product",
    "nvidia.com/gpu.count",
    "k8s.amazonaws.com/accelerator",
    "karpenter.k8s.aws/instance-gpu-count",
    "karpenter.k8s.aws/instance-gpu-manufacturer",
    "karpenter.k8s.aws/instance-gpu-name",
    "karpenter.k8s.aws/instance-gpu-memory",
    "eks.amazonaws.com/instance-gpu-count",
    "eks.amazonaws.com/instance-gpu-manufacturer",
    "eks.amazonaws.com/instance-gpu-name",
    "eks.amazonaws.com/instance-gpu-memory",
)

#: Label values that say "no GPU" (compared lower-cased, blanks stripped); numbers <= 0 too.
NO_GPU_WORDS = frozenset({"", "false", "no", "off", "none"})
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", re.ASCII)
#: Kubernetes parses a Gt/Lt value, and the node label it compares, as a base-10 int64 (strconv.ParseInt).
_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)


def _int64(text: str) -> int | None:
    """``text`` read as Kubernetes reads a Gt/Lt value (strconv.ParseInt base 10, 64 bits: an
    optional sign and ASCII digits, no blanks), or None when it cannot."""
    if not _INTEGER.fullmatch(text):
        return None
    number = int(text)
    return number if -(2**63) <= number < 2**63 else None


def says_no_gpu(value: Any) -> bool:
    """Whether a node label value names nodes without a GPU: empty, ``false``, ``no``, ``off``,
    ``none`` (any case), or a decimal number <= 0 (a count of none). Props' numbers arrive as floats
    (``0.0``), booleans as ``False``."""
    if isinstance(value, bool):
        return not value
    text = "" if value is None else str(value).strip().lower()
    return text in NO_GPU_WORDS or (_DECIMAL.fullmatch(text) is not None and float(text) <= 0)


def selector_confines(selector: Any, keys: set[str], path: str) -> tuple[bool, list[str]]:
    """Whether a ``nodeSelector`` (its labels are ANDed) names a GPU label with a GPU value, and why
    each GPU label it names does not. A value not known at preview leaves it undecided (raises
    ``UnknownValueError``) only when no known label already confines the pod."""
    if not is_map(selector):
        return False, []
    confines, why, unknown = False, [], None
    for key in sorted(keys & {str(k) for k in selector}):
        try:
            value = selector[key]
        except UnknownValueError as error:
            unknown = unknown or error
            continue
        if says_no_gpu(value):
            why.append(f"{path}['{key}'] is {shown(value)}, a value that labels nodes without GPUs")
        elif not isinstance(value, str):
            why.append(f"{path}['{key}'] is {shown(value)}, {_NOT_A_STRING}")
        else:
            confines = True
    if unknown is not None and not confines:
        raise unknown
    return confines, why


#: Why a label or toleration value that is not a string counts for nothing: ``nodeSelector`` is a
#: map[string]string, a NodeSelectorRequirement's ``values`` and a toleration's ``value`` strings
#: (core/v1), and the API server's JSON decoder refuses a boolean or number there ("cannot unmarshal bool
#: into Go struct field ... of type string"); pulumi-kubernetes sends the object as written. So
#: ``nvidia.com/gpu.present: True`` selects no node: the pod is never created.
_NOT_A_STRING = (
    "not a string, so malformed and refused by the API server (Kubernetes label values are strings)"
)

#: Node selector operators that select the nodes *without* the label (or its values).
_EXCLUDING = frozenset({"NotIn", "DoesNotExist"})


def _expression_problem(expression: Any) -> str | None:
    """Why a required node-affinity expression on a GPU label does not keep the pod on GPU nodes,
    or None when it does (Kubernetes' NodeSelectorRequirement: ``In`` takes values, ``Exists`` none,
    ``Gt``/``Lt`` one integer, compared with the node's label read as an integer; a label that is
    not one matches neither)."""
    operator, given = get(expression, "operator"), items(get(expression, "values"))
    if any(not isinstance(v, str) for v in given) and operator != "Exists":
        return f"{operator} [{', '.join(shown(v) for v in given)}] has a value that is {_NOT_A_STRING}"
    values = [str(v) for v in given]
    if operator == "Exists":
        if given:
            # ValidateNodeSelectorRequirement: "may not be specified when `operator` is 'Exists' or
            # 'DoesNotExist'": the API server refuses the pod, which then never runs, on GPU nodes or any.
            return f"Exists {values!r} is refused by the API server, which takes no values with Exists: remove them"
        # The labels are on GPU nodes only, but for the GPU operator's `nvidia.com/gpu.present=false`
        # on a node that lost its GPUs: that node advertises no GPU, so the scheduler binds no GPU pod there.
        return None
    if operator == "In":
        no_gpu = [v for v in values if says_no_gpu(v)]
        if values and not no_gpu:
            return None
        return f"In {no_gpu!r} admits nodes without GPUs" if no_gpu else "In without values"
    if operator in ("Gt", "Lt"):
        if len(values) != 1:
            # ValidateNodeSelectorRequirement: "must be specified single value when `operator` is 'Lt' or 'Gt'".
            return f"{operator} {values!r} is refused by the API server, which takes one value: give one, e.g. Gt ['0']"
        bound = _int64(values[0])
        if bound is None:
            # A value strconv.ParseInt cannot read (the API server takes it) makes the whole term match
            # no node (nodeaffinity.go keeps a term with a parse error from matching): the pod never schedules.
            return f"{operator} {values!r} is not one 64-bit integer, so the term matches no node: give one, e.g. Gt ['0']"
        if operator == "Gt":
            # Gt n with n >= 0 admits labels >= 1 only: a count of at least one GPU, never "no GPU".
            return None if bound >= 0 else f"Gt {values!r} admits a count of 0: give an integer >= 0"
        if bound > 0:
            return f"Lt {values!r} admits a count of 0: select counts with Gt, e.g. Gt ['0']"
        return f"Lt {values!r} admits only counts below 0, none of them a GPU's: select counts with Gt, e.g. Gt ['0']"
    if isinstance(operator, str) and operator in _EXCLUDING:  # a map is not hashable
        return f"{operator} keeps the pod off the nodes with that label"
    return f"operator {shown(operator)} is not a node selector operator"


def _term_problems(term: Any, keys: set[str], path: str) -> list[str] | None:
    """None when a required node-affinity term matches no node (neither ``matchExpressions`` nor
    ``matchFields``), [] when one of its ANDed expressions keeps the pod on GPU nodes, else why
    none does. An expression not known at preview leaves the term undecided (raises
    ``UnknownValueError``) only when no known one already keeps the pod on GPU nodes."""
    expressions = items(get(term, "matchExpressions"))
    if not (expressions or items(get(term, "matchFields"))):
        return None
    problems, unknown = [], None
    for number, expression in enumerate(expressions):
        try:
            key = get(expression, "key")
            problem = _expression_problem(expression) if isinstance(key, str) and key in keys else ""
        except UnknownValueError as error:
            unknown = unknown or error
            continue
        if problem is None:
            return []
        if problem:
            problems.append(f"{path}.matchExpressions[{number}] '{key}' {problem}")
    if unknown is not None:
        raise unknown
    return problems or [f"{path} names no GPU label"]


def affinity_confines(terms: list[Any], keys: set[str], path: str) -> tuple[bool, list[str]]:
    """Whether a required node affinity admits only GPU nodes, and why each term that admits others
    does. Its terms are ORed, so every term that admits a node needs, among its ANDed expressions,
    one on a GPU label that keeps the pod on GPU nodes (see :func:`_expression_problem`); a term with
    neither ``matchExpressions`` nor ``matchFields`` matches no node (Kubernetes' NodeSelectorTerm),
    and a ``matchFields`` term without such an expression admits the nodes it names, GPU or not. A
    term not known at preview leaves it undecided only when every known term keeps the pod on GPU
    nodes (one known term that does not decides it)."""
    why: list[str] = []
    admitting = 0
    unknown: UnknownValueError | None = None
    for index, term in enumerate(terms):
        try:
            problems = _term_problems(term, keys, f"{path}[{index}]")
        except UnknownValueError as error:
            unknown = unknown or error
            continue
        if problems is not None:
            admitting += 1
            why.extend(problems)
    if unknown is not None and not why:
        raise unknown
    return admitting > 0 and not why, why


#: Toleration operators Kubernetes matches (an empty one is Equal); 1.35's alpha Lt/Gt, behind a
#: feature gate a policy cannot see, do not count.
_OPERATORS = frozenset({"", "Equal", "Exists"})


def tolerates(toleration: Any, taint: str, effect: str, value: str | None) -> tuple[bool, str | None]:
    """Whether a toleration tolerates the taint with key ``taint``, ``effect`` and ``value`` (None:
    not known), as Kubernetes matches them (``Toleration.ToleratesTaint``), and why one naming the
    key with a matching effect does not. Its effect is that one or empty (every effect); it names the
    key, or has an empty key with ``operator: Exists`` (every key; validation refuses an empty key
    with another operator). ``Exists`` matches every value (validation refuses it with a value);
    ``Equal``, also an empty or absent operator, only the taint's value (an absent value is ""), when
    the pack knows it (``gpuTaintValue``; unknown, any value is taken). A PreferNoSchedule or
    NoExecute toleration does not let a pod onto nodes tainted NoSchedule. Of a NoExecute taint, a
    toleration with ``tolerationSeconds`` (only a NoExecute one may set it) lets the pod stay that
    long, then Kubernetes evicts it: it does not count."""
    tolerated = get(toleration, "effect")
    if tolerated and tolerated != effect:
        return False, None
    if effect == "NoExecute" and get(toleration, "tolerationSeconds") is not None:
        return False, None
    key, operator = get(toleration, "key"), get(toleration, "operator") or ""
    if key != taint and (key or operator != "Exists"):
        return False, None
    if not isinstance(operator, str) or operator not in _OPERATORS:  # a map is not hashable
        return False, f"has operator {shown(operator)}, not Equal or Exists"
    if operator != "Exists" and value is None:
        # The taint's value not known: an Equal toleration counts whatever its own string (one not
        # known at preview does not leave the rule undecided), but one the API server refuses.
        try:
            given = get(toleration, "value")
        except UnknownValueError:
            return True, None
        if given is not None and not isinstance(given, str):
            return False, f"has value {shown(given)}, {_NOT_A_STRING}"
        return True, None
    given = get(toleration, "value")
    if given is not None and not isinstance(given, str):
        return False, f"has value {shown(given)}, {_NOT_A_STRING}"
    given = "" if given is None else given
    if operator == "Exists":
        return (True, None) if given == "" else (False, f"sets value {given!r} with operator Exists")
    if given == value:
        return True, None
    return (
        False,
        f"(operator {operator or 'unset, so Equal'}) matches value {given!r}, not the taint's {value!r}",
    )


def placement_problems(
    pod_path: str, field: Callable[[str], Any], cfg: Mapping[str, Any], keys: set[str]
) -> list[str]:
    """Why a GPU pod's selectors and tolerations do not keep it on GPU nodes; empty when one does.
    ``field`` reads the pod spec at a dotted path. A value unknown at preview leaves the rule
    undecided only when nothing known already keeps the pod on GPU nodes."""
    gpu, effect = str(cfg["gpuResourceName"]), str(cfg["gpuTaintEffect"])
    value = None if cfg.get("gpuTaintValue") is None else str(cfg["gpuTaintValue"])
    required = "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
    unknown: list[UnknownValueError] = []
    terms: list[Any] = []

    def judged(decide: Callable[[], tuple[bool, list[str]]]) -> tuple[bool, list[str]]:
        """``decide()``; (False, []) when a value it reads is unknown, noted for later."""
        try:
            return decide()
        except UnknownValueError as error:
            unknown.append(error)
            return False, []

    def affinity() -> tuple[bool, list[str]]:
        terms.extend(items(field(required)))
        return affinity_confines(terms, keys, f"{pod_path}.{required}") if terms else (False, [])

    def toleration(index: int, entry: Any) -> tuple[bool, list[str]]:
        matches, reason = tolerates(entry, gpu, effect, value)
        return matches, [f"{pod_path}.tolerations[{index}] {reason}"] if reason else []

    # Each is judged (not only up to the first that counts) so that a refusal names every one that
    # does not. nodeSelector and the required affinity must both match: either one confining suffices.
    selected, selector_why = judged(
        lambda: selector_confines(field("nodeSelector"), keys, f"{pod_path}.nodeSelector")
    )
    judgements = [(selected, selector_why), judged(affinity)]
    for index, entry in enumerate(items(field("tolerations"))):
        judgements.append(judged(partial(toleration, index, entry)))
    if any(counts for counts, _ in judgements):
        return []
    if unknown:
        raise unknown[0]
    # A NoExecute taint evicts a pod whose toleration sets tolerationSeconds once they pass.
    kept = " without tolerationSeconds" if effect == "NoExecute" else ""
    ored = (
        f", {pod_path}.{required} has a term without a GPU key that keeps it on GPU nodes (the terms are "
        "ORed: each needs one, In GPU values, Exists or Gt >= 0; not NotIn/DoesNotExist/Lt)"
        if terms
        else ""
    )
    taint = f"{gpu}:{effect}" if value is None else f"{gpu}={value}:{effect}"
    matching = "" if value is None else f" and value {value!r} (or operator Exists)"
    summary = (
        f"{pod_path}.nodeSelector has no GPU key{' with a GPU value' if selector_why else ''}{ored} and "
        f"{pod_path}.tolerations has no '{gpu}' toleration of effect {effect} (or no effect){matching}"
        f"{kept}: select GPU nodes (one of {sorted(keys)}) or tolerate the '{taint}' taint."
    )
    why = [reason for _, reasons in judgements for reason in reasons]
    return [summary + (f" Not counted: {'; '.join(why)}." if why else "")]
