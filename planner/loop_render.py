"""Drawing the MLOps loop (:mod:`planner.loop_diagram`) as a Mermaid flowchart: node ids, labels,
lanes and the sorted edges, so the same loop always renders the same text."""

from __future__ import annotations

import re

from planner.loop_model import LANES, LIVE_DRIFT, MONITOR_KINDS, ROLES, TYPE_NAMES, Loop

_ROLE_ORDER = {role: index for index, role in enumerate(ROLES)}
_PREFIX_AFTER = {"target": "retrain_rule", "monitor": "capture", "alarms": "capture"}
"""Where roles keyed ``<prefix>:...`` sort: after this role (monitors before their alarms)."""
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


# -- rendering ------------------------------------------------------------------------------------


SHORT_IDS = {
    "data": "s3",
    "new_data_rule": "new",
    "batch": "batch",
    "schedule": "cron",
    "retrain_rule": "retrain",
    "pipeline": "train",
    "registry": "reg",
    "approval_rule": "appr",
    "approvals_topic": "apprsns",
    "dispatch": "dest",
    "deploy": "deploy",
    "next_stacks": "next",
    "endpoint": "ep",
    "shadow_test": "shadow",
    "batch_scoring": "bscore",
    "k8s_serving": "k8s",
    "capture": "cap",
    "endpoint_alarms": "epalm",
    "pipeline_alarms": "plalm",
    "prometheus_rule": "prom",
    "alertmanager": "am",
    "failure_rules": "fail",
    "alert_topic": "sns",
    "alert_subscriptions": "subs",
    "approvals_subscriptions": "apprsubs",
    "webhook": "hook",
    "monitor:DataQuality": "dq",
    "monitor:ModelQuality": "mq",
    "monitor:ModelBias": "bias",
    "monitor:ModelExplainability": "expl",
    "alarms:DataQuality": "dqalm",
    "alarms:ModelQuality": "mqalm",
    "alarms:ModelBias": "biasalm",
    "alarms:ModelExplainability": "explalm",
    f"monitor:{LIVE_DRIFT}": "ld",
    f"alarms:{LIVE_DRIFT}": "ldalm",
}
"""Short node ids keep the README's block small; any other role's id is its sanitised key
(``target:StateMachine`` → ``l_target_StateMachine``), which no short id starts like."""


def node_id(role: str) -> str:
    """A Mermaid-safe node id: ``pipeline`` → ``l_train``, ``target:StateMachine`` →
    ``l_target_StateMachine``.

    The prefix keeps ids clear of Mermaid keywords (``end``) and of ids starting with ``o`` or
    ``x``, which Mermaid would read as circle or cross arrow heads (as in :mod:`planner.diagram`).
    """
    return "l_" + _ID_UNSAFE.sub("_", SHORT_IDS.get(role, role))


def _lane_and_names(role: str, loop: Loop) -> tuple[str, str, str]:
    if role in ROLES:
        return ROLES[role]
    prefix, _, rest = role.partition(":")
    if prefix == "monitor":
        singular = MONITOR_KINDS.get(rest, (f"{rest} monitor", ""))[0]
        return "monitor", singular, singular + "s"
    if prefix == "alarms":
        singular = MONITOR_KINDS.get(rest, ("", f"{rest} alarm"))[1]
        return "monitor", singular, singular + "s"
    type_token = min(loop.details.get(role, ()), default=rest)
    return ("train", *TYPE_NAMES.get(type_token, (rest, rest + "s")))


def _count(n: int, singular: str, plural: str) -> str:
    return singular if n == 1 else f"{n} {plural}"


def label(role: str, loop: Loop) -> str:
    """A node's text: what it is and how many (``2 SageMaker endpoints<br/>5 variants``)."""
    _, singular, plural = _lane_and_names(role, loop)
    details = sorted(loop.details.get(role, ()))
    n = len(loop.members[role])
    text = _count(n, singular, plural)
    extra = ""
    if role == "endpoint":
        variants = sum(int(d.rsplit(":", 1)[1]) for d in details if ":variants:" in d)
        shadows = sum(int(d.rsplit(":", 1)[1]) for d in details if ":shadows:" in d)
        if variants > n or shadows:
            extra = _count(variants, "variant", "variants") if variants > 1 else "1 variant"
            extra += f" + {shadows} shadow" if shadows else ""
    elif role == "k8s_serving":
        canaries = sum(1 for d in details if d.startswith("canary:"))
        text = _count(n - canaries, singular, plural)
        extra = _count(canaries, "canary", "canaries") if canaries else ""
    elif role == "next_stacks":
        text = f"{', '.join(d.split(':', 1)[1] for d in details)} stacks"
    elif role in ("deploy", "webhook") or role.endswith("_subscriptions"):
        extra = ", ".join(d.split(":", 1)[1] for d in details)
        if role == "deploy" and all(d.startswith("repo:") for d in details):
            text = f"GitHub {text}"
    text = f"{text}<br/>{extra}" if extra else text
    return text.replace('"', "#quot;")


def _sort_key(role: str) -> tuple[int, int, str]:
    if role in _ROLE_ORDER:
        return (_ROLE_ORDER[role], 0, "")
    prefix, _, rest = role.partition(":")
    kinds = list(MONITOR_KINDS)
    rank = {"target": 1, "monitor": 2, "alarms": 3}.get(prefix, 4) * 10 + (
        kinds.index(rest) if rest in kinds else len(kinds)
    )
    return (_ROLE_ORDER.get(_PREFIX_AFTER.get(prefix, ""), len(_ROLE_ORDER)), rank, rest)


def render(loop: Loop) -> str:
    roles = sorted(loop.members, key=_sort_key)
    lines = ["flowchart LR"]
    for lane, title in LANES:
        in_lane = [role for role in roles if _lane_and_names(role, loop)[0] == lane]
        if not in_lane:
            continue
        lines.append(f'  subgraph lane_{lane}["{title}"]')
        lines += [f'    {node_id(role)}["{label(role, loop)}"]' for role in in_lane]
        lines.append("  end")
    order = {role: index for index, role in enumerate(roles)}
    for edge in sorted(loop.edges.values(), key=lambda e: (order[e.source], order[e.target])):
        arrow = "-.->" if edge.dotted else "-->"
        text = f"|{edge.text}|" if edge.text else ""
        lines.append(f"  {node_id(edge.source)} {arrow}{text} {node_id(edge.target)}")
    return "\n".join(lines) + "\n"
