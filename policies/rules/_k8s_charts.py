"""Helm chart values read as the chart renders them: its ``enabled`` switches.

Chart values (a Flux HelmRelease's ``spec.values``, an Argo CD Application's ``helm.valuesObject`` or
``helm.values`` text, a ``helm.sh/v3`` Release's ``values``) are searched by shape for pods
(:mod:`._k8s_pod_search`). A chart renders only the sections switched on: Helm's ``condition:
<chart>.enabled`` for a subchart, and the charts' own ``{{- if .Values.<section>.enabled }}`` (bitnami's
``volumePermissions``, its older ``securityContext: {enabled: false, runAsUser: 1001}``, whose
``enabled: true`` form it renders without ``enabled``: ``omit .Values.securityContext "enabled"``;
kube-prometheus-stack's ``crds.upgradeJob``). A pod flag may be a switch too: prometheus-adapter's
``hostNetwork: {enabled: false}`` renders ``hostNetwork: {{ .Values.hostNetwork.enabled }}``. A list in the
values (``sidecars``, bitnami's ``extraDeploy``) and a manifest (a map with ``apiVersion`` and ``kind``) are
rendered verbatim (``toYaml``): no ``enabled`` in them is a switch (:mod:`._k8s_pod_search` reads them as written).

Imports nothing from ``components/`` or ``stacks/``: the pack governs any Pulumi program.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from ._common import is_map

#: Keys holding Helm chart values as a map: a Flux HelmRelease's ``spec.values``, an Argo CD Application's
#: ``helm.valuesObject``, a ``helm.sh/v3`` Release's ``values``; and their text form (:data:`._k8s_pod_search.TEXT_VALUES_KEYS`).
#: Their maps are read as a chart renders them (:class:`ChartValues`).
CHART_VALUES_KEYS = frozenset({"values", "valuesObject"})
#: Pod fields a chart may turn on with a switch map (``hostNetwork: {enabled: false}``, prometheus-community's
#: prometheus-adapter: ``hostNetwork: {{ .Values.hostNetwork.enabled }}``): read as the switch's value.
SWITCHED_POD_FLAGS = frozenset(
    {"hostNetwork", "hostPID", "hostIPC", "hostUsers", "automountServiceAccountToken"}
)


def _known(value: Mapping[str, Any], key: str) -> Any:
    """``value[key]``, None where it is unknown at preview."""
    try:
        return value[key]
    except UnknownValueError:
        return None


def _switch(value: Any) -> Any:
    """A chart's switch: the ``enabled`` of a map holding one (None where there is none or it is unknown)."""
    if not is_map(value) or "enabled" not in [str(k) for k in value]:
        return None
    return _known(value, "enabled")


class ChartValues(Mapping[str, Any]):
    """A map of Helm chart values as the chart renders it: a section whose ``enabled`` is false is not
    rendered (Helm's ``condition: <chart>.enabled`` and the charts' ``{{- if .Values.x.enabled }}``: bitnami's
    ``volumePermissions``, ``securityContext: {enabled: false, ...}``; kube-prometheus-stack's
    ``crds.upgradeJob``), and a pod flag written as a switch (:data:`SWITCHED_POD_FLAGS`) is its value."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> Any:
        value = self._values[key]
        switch = _switch(value)
        if switch is False:
            raise KeyError(key)
        if key in SWITCHED_POD_FLAGS and isinstance(switch, bool):
            return switch
        return value

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:
        for key in [str(k) for k in self._values]:
            try:
                off = _switch(self._values[key]) is False
            except UnknownValueError:
                off = False  # read (and said undecided) where a rule reads it
            if not off:
                yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)
