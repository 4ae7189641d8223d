"""KubernetesServing: a model server on an existing EKS cluster (GPU Deployment, Service, HPA, PDB,
NetworkPolicy), or the same pod as a KServe InferenceService predictor."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

# The API versions this component renders; pulumi-kubernetes' typed Args reject a misspelt field.
from pulumi_kubernetes.apps import v1 as apps
from pulumi_kubernetes.autoscaling import v2 as autoscaling
from pulumi_kubernetes.core import v1 as core
from pulumi_kubernetes.meta import v1 as meta
from pulumi_kubernetes.networking import v1 as networking
from pulumi_kubernetes.policy import v1 as policy

from ..limits import satisfies, string_map_problem
from ..serving.inference_endpoint_spec import model_package_version_arn_problem
from .kubernetes_serving_spec import (
    GPU_RESOURCE,
    GPU_UTILIZATION_METRIC,
    LABEL_RULES,
    MODEL_ENV,
    NAMESPACE_NAME_LABEL,
    KubernetesServingSpec,
    Toleration,
    invalid_labels,
)

RUN_AS_ID = 10001
"""UID, GID and fsGroup of the server: non-root and above the host's user range."""
_ZONE, _HOST = "topology.kubernetes.io/zone", "kubernetes.io/hostname"
TERMINATION_GRACE_SECONDS = 60
"""How long a stopping pod has: the pre-stop wait, then in-flight requests after SIGTERM."""
PRE_STOP_SECONDS = 10
"""How long a stopping pod keeps serving before SIGTERM, while its endpoint leaves every node's proxy."""


@dataclass(frozen=True)
class RegistryModel:
    """The approved model version a registry-backed serving runs."""

    package_arn: str
    """The model package version (``MODEL_PACKAGE_ARN``; also the pods' annotation):
    ``arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<n>``."""
    model_data_url: str | None = None
    """Its model artifact, ``s3://bucket/key`` (``MODEL_DATA_URL``); None for a version that names none."""

    def __post_init__(self) -> None:
        satisfies(
            self,
            "package_arn",
            lambda arn: model_package_version_arn_problem(arn) if isinstance(arn, str) else "must be text",
        )


MODEL_PACKAGE_ANNOTATION = "mlops-platform/model-package"
"""On the pod template: the version the pods run (a new version rolls them like any template change)."""
KSERVE_API_VERSION = "serving.kserve.io/v1beta1"
KSERVE_CONTAINER = "kserve-container"
"""The name KServe gives (and looks for on) a predictor's model server container."""
STORAGE_URI_ENV = "STORAGE_URI"
"""On a KServe custom container: the artifact KServe's storage initializer downloads (and unpacks) into
``/mnt/models`` before the server starts."""


@dataclass(frozen=True)
class KubernetesServingArgs:
    """The spec, and labels for every object; the Kubernetes provider comes in through ``opts``."""

    spec: KubernetesServingSpec
    """What to serve and how: image, resources, probes, autoscaling and placement."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Extra labels on every object and pod (e.g. the cost-allocation tags, for EKS split cost allocation)."""
    model: RegistryModel | None = None
    """The approved version to serve: given exactly when ``spec.latest_approved_of`` is set."""
    aws_credentials: Sequence[pulumi.Resource] = ()
    """What gives the pods their AWS credentials (the EKS Pod Identity association of the serving's
    service account and its role's policy, e.g. a ``ModelArtifactAccess``): the Deployments or the
    InferenceService are created after it. EKS sets a pod's credentials when the pod is created, so a
    pod started before the association has none (its artifact download fails) until it restarts."""

    def __post_init__(self) -> None:
        if (self.model is None) != (self.spec.latest_approved_of is None):
            raise ValueError("give model (the resolved version) exactly when spec.latest_approved_of is set")
        satisfies(self, "labels", lambda labels: string_map_problem(labels, "label"))
        bad = invalid_labels(dict(self.labels))
        if bad:
            raise ValueError(f"labels {bad} are not valid Kubernetes labels: {LABEL_RULES}")
        clash = sorted(set(self.labels) & set(_selector(self.spec)))
        if clash:
            raise ValueError(f"labels {clash} are reserved for the pod selector")


STABLE, CANARY = "model-server", "model-server-canary"
"""The pods' ``app.kubernetes.io/component``: the stable and the canary Deployment select disjoint pods."""


def _selector(spec: KubernetesServingSpec, component: str = STABLE) -> dict[str, str]:
    # Kept minimal and stable: a Deployment's selector is immutable.
    return {"app.kubernetes.io/name": spec.name, "app.kubernetes.io/component": component}


def _served_by(spec: KubernetesServingSpec) -> dict[str, str]:
    """The pods behind the Service (and its NetworkPolicy): with a canary, those of both Deployments."""
    return {"app.kubernetes.io/name": spec.name} if spec.canary is not None else _selector(spec)


def kubernetes_provider(
    name: str,
    kubeconfig: pulumi.Input[str],
    opts: pulumi.ResourceOptions | None = None,
    *,
    cluster_identifier: pulumi.Input[str] | None = None,
) -> k8s.Provider:
    """A Kubernetes provider for an existing cluster, for a *composition* to pass to KubernetesServing.

    ``kubeconfig`` (contents, e.g. from a secret stack config value) is kept secret in the state.
    ``cluster_identifier`` (e.g. the EKS cluster ARN), when given, is what decides whether the provider,
    and so every object it manages, is replaced: rotating credentials in the kubeconfig then only updates it.
    """
    return k8s.Provider(
        name,
        kubeconfig=pulumi.Output.secret(kubeconfig),
        cluster_identifier=cluster_identifier,
        enable_server_side_apply=True,
        # Never drop objects from the state because the cluster is unreachable (an expired token, a VPN).
        delete_unreachable=False,
        # A field owned by another manager is a conflict to look at, not something to overwrite.
        enable_patch_force=False,
        opts=opts,
    )


class KubernetesServing(pulumi.ComponentResource):
    """A model server on an existing cluster: namespace, service account, Deployment, Service, HPA, PDB
    and NetworkPolicy. With ``spec.kserve`` a KServe ``InferenceService`` (raw deployment mode) replaces
    the Deployment and HPA: KServe creates them from its predictor, which carries the same pod.

    Security posture: the namespace enforces Pod Security `restricted`; pods run as UID 10001 with a
    read-only root filesystem, no capabilities, no privilege escalation, RuntimeDefault seccomp, no
    service account token, and an image pinned by digest. A NetworkPolicy denies all ingress to the pods
    but the serving port from the configured client namespaces and the metrics port from the
    monitoring namespace. GPUs are requested as limits equal to requests.
    """

    namespace_name: pulumi.Output[str]
    """Namespace the model server runs in."""
    service_name: pulumi.Output[str]
    """ClusterIP Service: port 80 (`http`) for inference, `metrics` for Prometheus."""
    deployment_name: pulumi.Output[str]
    """The model server's Deployment (with ``spec.kserve``, the ``<name>-predictor`` KServe creates)."""

    def __init__(
        self, name: str, args: KubernetesServingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Renamed from mlops:serving:KubernetesServing when the components moved into per-area packages: the alias keeps
        # the URNs of stacks deployed before, so nothing on the cluster is replaced.
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="mlops:serving:KubernetesServing")])
        )
        super().__init__("mlops:kubernetes:KubernetesServing", name, None, opts)
        spec = args.spec
        self._labels = {
            **args.labels,
            **_selector(spec),
            "app.kubernetes.io/part-of": "mlops-platform",
            "app.kubernetes.io/managed-by": "pulumi",
        }
        child = pulumi.ResourceOptions(parent=self)

        namespace: pulumi.Input[str] = spec.namespace
        if spec.create_namespace:
            namespace = self._create_namespace(name, spec, child).metadata.name
        account = core.ServiceAccount(
            f"{name}-service-account",
            metadata=self._metadata(spec, namespace),
            automount_service_account_token=False,
            opts=child,
        )
        self._model = args.model
        # The pods' credentials exist before the pods (depends_on: a parent's would not order its children).
        workloads = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=list(args.aws_credentials))
        )
        if spec.kserve is not None:
            # KServe creates the Deployment (<name>-predictor) and its HPA from the predictor.
            service_of = self._create_inference_service(
                name, spec, namespace, account.metadata.name, workloads
            )
            # Known once the InferenceService is (a custom resource's outputs are untyped).
            self.namespace_name = pulumi.Output.all(service_of.id, namespace).apply(lambda known: known[1])
            self.deployment_name = service_of.id.apply(lambda _: spec.deployment_name)
        else:
            deployment = self._create_deployment(name, spec, namespace, account.metadata.name, workloads)
            if spec.canary is not None:
                self._create_canary(name, spec, namespace, account.metadata.name, workloads)
            self._create_autoscaler(name, spec, namespace, deployment.metadata.name, child)
            self.namespace_name = deployment.metadata.namespace
            self.deployment_name = deployment.metadata.name
        # Also in front of KServe's pods: the stable <name>.<namespace>.svc address and the `metrics` port
        # the stack's ServiceMonitor scrapes.
        service = self._create_service(name, spec, namespace, child)
        self._create_disruption_budget(name, spec, namespace, child)
        self._create_network_policy(name, spec, namespace, child)

        self.service_name = service.metadata.name
        self.register_outputs(
            {
                "namespace_name": self.namespace_name,
                "service_name": self.service_name,
                "deployment_name": self.deployment_name,
            }
        )

    def _metadata(self, spec: KubernetesServingSpec, namespace: pulumi.Input[str]) -> meta.ObjectMetaArgs:
        # Fixed names (not auto-named) give callers a stable in-cluster DNS name: <name>.<namespace>.svc.
        return meta.ObjectMetaArgs(name=spec.name, namespace=namespace, labels=self._labels)

    def _create_namespace(
        self, name: str, spec: KubernetesServingSpec, opts: pulumi.ResourceOptions
    ) -> core.Namespace:
        admission = {
            f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")
        }
        return core.Namespace(
            f"{name}-namespace",
            metadata=meta.ObjectMetaArgs(
                name=spec.namespace,
                labels={
                    **{k: v for k, v in self._labels.items() if k not in _selector(spec)},
                    **admission,
                    "pod-security.kubernetes.io/enforce-version": "latest",
                },
            ),
            opts=opts,
        )

    def _create_deployment(
        self,
        name: str,
        spec: KubernetesServingSpec,
        namespace: pulumi.Input[str],
        service_account: pulumi.Input[str],
        opts: pulumi.ResourceOptions,
    ) -> apps.Deployment:
        return apps.Deployment(
            f"{name}-deployment",
            metadata=self._metadata(spec, namespace),
            spec=self._deployment_spec(spec, service_account),
            # The HPA owns the replica count once the Deployment exists; re-applying `replicas` on every
            # update would undo its scaling (and conflict with its field manager under server-side apply).
            opts=pulumi.ResourceOptions.merge(
                opts,
                pulumi.ResourceOptions(
                    ignore_changes=["spec.replicas"],
                    # The HPA may have scaled the Deployment up to max_replicas before a rollout.
                    custom_timeouts=_rollout_timeouts(spec, spec.max_replicas),
                ),
            ),
        )

    def _create_canary(
        self,
        name: str,
        spec: KubernetesServingSpec,
        namespace: pulumi.Input[str],
        service_account: pulumi.Input[str],
        opts: pulumi.ResourceOptions,
    ) -> apps.Deployment:
        canary = spec.canary
        assert canary is not None
        # The serving's pod with the canary's image, count and extra variables; its own component label keeps
        # the two Deployments' selectors disjoint, its name label puts it behind the same Service.
        variant = spec.model_copy(
            update={"image": canary.image, "replicas": canary.replicas, "env": {**spec.env, **canary.env}}
        )
        return apps.Deployment(
            f"{name}-canary-deployment",
            metadata=meta.ObjectMetaArgs(
                name=spec.canary_deployment_name,
                namespace=namespace,
                labels={**self._labels, "app.kubernetes.io/component": CANARY},
            ),
            spec=self._deployment_spec(variant, service_account, CANARY),
            opts=pulumi.ResourceOptions.merge(
                opts,
                pulumi.ResourceOptions(custom_timeouts=_rollout_timeouts(spec, canary.replicas)),
            ),
        )

    def _deployment_spec(
        self, spec: KubernetesServingSpec, service_account: pulumi.Input[str], component: str = STABLE
    ) -> apps.DeploymentSpecArgs:
        return apps.DeploymentSpecArgs(
            replicas=spec.replicas,
            selector=meta.LabelSelectorArgs(match_labels=_selector(spec, component)),
            # Surge one pod and never go below the serving count: a new model version must pass its
            # readiness probe before an old pod is taken away.
            strategy=apps.DeploymentStrategyArgs(
                type="RollingUpdate",
                rolling_update=apps.RollingUpdateDeploymentArgs(max_unavailable=0, max_surge=1),
            ),
            # A new pod that is not ready within its start allowance marks the rollout failed
            # (ProgressDeadlineExceeded; the old pods keep serving). The deadline restarts with each new
            # pod that becomes ready, so it bounds one step of the rollout, not the whole of it.
            progress_deadline_seconds=spec.start_allowance_seconds,
            revision_history_limit=5,
            template=core.PodTemplateSpecArgs(
                metadata=meta.ObjectMetaArgs(
                    labels=self._pod_labels(component), annotations=self._pod_annotations()
                ),
                spec=core.PodSpecArgs(**self._pod_fields(spec, service_account, component)),
            ),
        )

    def _pod_labels(self, component: str) -> dict[str, str]:
        return {**self._labels, "app.kubernetes.io/component": component}

    def _pod_annotations(self) -> dict[str, str] | None:
        return {MODEL_PACKAGE_ANNOTATION: self._model.package_arn} if self._model else None

    def _pod_fields(
        self, spec: KubernetesServingSpec, service_account: pulumi.Input[str], component: str
    ) -> dict[str, Any]:
        """The pod spec's fields (``core.PodSpecArgs`` keywords), shared by the Deployment and KServe."""
        gpu = spec.gpus > 0
        return dict(
            service_account_name=service_account,
            automount_service_account_token=False,
            # No Kubernetes-injected variables for every Service in the namespace.
            enable_service_links=False,
            security_context=core.PodSecurityContextArgs(
                run_as_non_root=True,
                run_as_user=RUN_AS_ID,
                run_as_group=RUN_AS_ID,
                fs_group=RUN_AS_ID,
                seccomp_profile=core.SeccompProfileArgs(type="RuntimeDefault"),
            ),
            containers=[self._container(spec, self._model)],
            volumes=[
                _scratch("tmp", "1Gi"),
                _scratch("model-cache", spec.model_cache_size),
            ],
            # GPU placement only for GPU pods: CPU pods stay off the expensive nodes.
            node_selector=dict(spec.gpu_node_selector) if gpu else None,
            tolerations=[_toleration(t) for t in spec.gpu_tolerations] if gpu else None,
            topology_spread_constraints=[self._spread(spec, key, component) for key in (_ZONE, _HOST)],
            termination_grace_period_seconds=TERMINATION_GRACE_SECONDS,
        )

    def _create_inference_service(
        self,
        name: str,
        spec: KubernetesServingSpec,
        namespace: pulumi.Input[str],
        service_account: pulumi.Input[str],
        opts: pulumi.ResourceOptions,
    ) -> k8s.apiextensions.CustomResource:
        assert spec.kserve is not None
        pod = {_camel(key): value for key, value in self._pod_fields(spec, service_account, STABLE).items()}
        predictor = {
            # KServe's own HPA (raw deployment mode): CPU utilisation of the request, like the Deployment's.
            "minReplicas": spec.min_replicas,
            "maxReplicas": spec.max_replicas,
            "scaleMetric": "cpu",
            "scaleTarget": spec.target_cpu_utilization,
            # On the pods KServe creates: the selector of the Service, PDB and NetworkPolicy rendered here.
            "labels": self._pod_labels(STABLE),
            "annotations": self._pod_annotations(),
            **{key: value for key, value in pod.items() if value is not None},
        }
        return k8s.apiextensions.CustomResource(
            f"{name}-inference-service",
            api_version=KSERVE_API_VERSION,
            kind="InferenceService",
            metadata=meta.ObjectMetaArgs(
                name=spec.name,
                namespace=namespace,
                labels=self._labels,
                annotations={
                    "serving.kserve.io/deploymentMode": spec.kserve.deployment_mode,
                    "serving.kserve.io/autoscalerClass": "hpa",
                },
            ),
            spec={"predictor": {key: value for key, value in predictor.items() if value is not None}},
            opts=opts,
        )

    @staticmethod
    def _spread(
        spec: KubernetesServingSpec, topology_key: str, component: str
    ) -> core.TopologySpreadConstraintArgs:
        # ScheduleAnyway: GPU capacity is often in one zone only; a hard constraint would leave pods Pending.
        # pod-template-hash: spread each ReplicaSet on its own, so a rollout does not skew the new pods.
        return core.TopologySpreadConstraintArgs(
            max_skew=1,
            topology_key=topology_key,
            when_unsatisfiable="ScheduleAnyway",
            label_selector=meta.LabelSelectorArgs(match_labels=_selector(spec, component)),
            match_label_keys=["pod-template-hash"],
        )

    @staticmethod
    def _container(spec: KubernetesServingSpec, model: RegistryModel | None) -> core.ContainerArgs:
        requests = {"cpu": spec.cpu_request, "memory": spec.memory_request}
        limits = {"cpu": spec.cpu_limit, "memory": spec.memory_limit}
        if spec.gpus > 0:
            # GPUs are extended resources: allocated from limits, and requests must equal them.
            requests[GPU_RESOURCE] = limits[GPU_RESOURCE] = str(spec.gpus)
        ports = [core.ContainerPortArgs(name="http", container_port=spec.port, protocol="TCP")]
        if spec.grpc_port is not None:
            ports.append(core.ContainerPortArgs(name="grpc", container_port=spec.grpc_port, protocol="TCP"))
        if spec.separate_metrics_port:
            ports.append(
                core.ContainerPortArgs(name="metrics", container_port=spec.metrics_port, protocol="TCP")
            )
        # Caches of most ML libraries (Hugging Face, torch hub) follow XDG_CACHE_HOME: point it at the
        # writable volume, since the root filesystem is read-only. The spec's env may override it.
        env = {"XDG_CACHE_HOME": spec.model_cache_path, **spec.env}
        if model is not None:
            env[MODEL_ENV[0]] = model.package_arn
            if model.model_data_url is not None:
                env[MODEL_ENV[1]] = model.model_data_url
                if spec.kserve is not None:
                    env[STORAGE_URI_ENV] = model.model_data_url
        command, arguments = None, None
        if spec.server == "triton":
            command = ["tritonserver"]
            arguments = [
                f"--model-repository={spec.model_repository}",
                f"--http-port={spec.port}",
                f"--grpc-port={spec.grpc_port}",
                f"--metrics-port={spec.metrics_port}",
            ]
        return core.ContainerArgs(
            name=KSERVE_CONTAINER if spec.kserve is not None else "model-server",
            image=spec.image,
            command=command,
            args=arguments,
            ports=ports,
            env=[core.EnvVarArgs(name=key, value=value) for key, value in env.items()],
            resources=core.ResourceRequirementsArgs(requests=requests, limits=limits),
            startup_probe=_probe(
                spec.liveness_path,
                period=10,
                timeout=5,
                failures=math.ceil(spec.startup_timeout_seconds / 10),
            ),
            readiness_probe=_probe(spec.readiness_path, period=10, timeout=3, failures=3),
            # A deleted pod leaves the Service's endpoints while the kubelet stops it, not before: each
            # node's kube-proxy (and any ingress controller) still sends it new requests for a few
            # seconds. Keep serving through that before the server gets SIGTERM, so a rollout step or a
            # scale-in drops no request (the kubelet's own sleep: no binary needed in the image).
            lifecycle=core.LifecycleArgs(
                pre_stop=core.LifecycleHandlerArgs(sleep=core.SleepActionArgs(seconds=PRE_STOP_SECONDS))
            ),
            liveness_probe=_probe(spec.liveness_path, period=20, timeout=5, failures=3),
            security_context=core.SecurityContextArgs(
                privileged=False,
                allow_privilege_escalation=False,
                read_only_root_filesystem=True,
                run_as_non_root=True,
                capabilities=core.CapabilitiesArgs(drop=["ALL"]),
            ),
            volume_mounts=[
                core.VolumeMountArgs(name="tmp", mount_path="/tmp"),
                core.VolumeMountArgs(name="model-cache", mount_path=spec.model_cache_path),
            ],
        )

    def _create_service(
        self,
        name: str,
        spec: KubernetesServingSpec,
        namespace: pulumi.Input[str],
        opts: pulumi.ResourceOptions,
    ) -> core.Service:
        return core.Service(
            f"{name}-service",
            metadata=self._metadata(spec, namespace),
            spec=core.ServiceSpecArgs(
                type="ClusterIP",
                selector=_served_by(spec),
                ports=[
                    core.ServicePortArgs(name="http", port=80, target_port="http", protocol="TCP"),
                    *(
                        [
                            core.ServicePortArgs(
                                name="grpc", port=spec.grpc_port, target_port="grpc", protocol="TCP"
                            )
                        ]
                        if spec.grpc_port is not None
                        else []
                    ),
                    # Same name whether or not the server has a separate metrics port, so a future
                    # ServiceMonitor always scrapes the port named `metrics`.
                    core.ServicePortArgs(
                        name="metrics",
                        port=spec.metrics_port,
                        target_port="metrics" if spec.separate_metrics_port else "http",
                        protocol="TCP",
                    ),
                ],
            ),
            opts=opts,
        )

    def _create_autoscaler(
        self,
        name: str,
        spec: KubernetesServingSpec,
        namespace: pulumi.Input[str],
        deployment: pulumi.Input[str],
        opts: pulumi.ResourceOptions,
    ) -> autoscaling.HorizontalPodAutoscaler:
        metrics = [
            autoscaling.MetricSpecArgs(
                type="Resource",
                resource=autoscaling.ResourceMetricSourceArgs(
                    name="cpu",
                    target=autoscaling.MetricTargetArgs(
                        type="Utilization", average_utilization=spec.target_cpu_utilization
                    ),
                ),
            )
        ]
        if spec.target_gpu_utilization is not None:
            metrics.append(
                _pods_metric(GPU_UTILIZATION_METRIC, str(spec.target_gpu_utilization)),
            )
        if spec.custom_metric is not None:
            metrics.append(_pods_metric(spec.custom_metric.name, spec.custom_metric.target_average_value))
        return autoscaling.HorizontalPodAutoscaler(
            f"{name}-hpa",
            metadata=self._metadata(spec, namespace),
            spec=autoscaling.HorizontalPodAutoscalerSpecArgs(
                scale_target_ref=autoscaling.CrossVersionObjectReferenceArgs(
                    api_version="apps/v1", kind="Deployment", name=deployment
                ),
                min_replicas=spec.min_replicas,
                max_replicas=spec.max_replicas,
                metrics=metrics,
                # GPU pods are slow to start (image pull, model load): scale down one pod a minute, and
                # only after load has stayed low for the whole window, so a brief lull does not flap.
                behavior=autoscaling.HorizontalPodAutoscalerBehaviorArgs(
                    scale_down=autoscaling.HPAScalingRulesArgs(
                        stabilization_window_seconds=spec.scale_down_stabilization_seconds,
                        policies=[autoscaling.HPAScalingPolicyArgs(type="Pods", value=1, period_seconds=60)],
                    )
                ),
            ),
            opts=opts,
        )

    def _create_network_policy(
        self,
        name: str,
        spec: KubernetesServingSpec,
        namespace: pulumi.Input[str],
        opts: pulumi.ResourceOptions,
    ) -> networking.NetworkPolicy:
        # Selecting the pods with policyTypes Ingress denies them every connection no rule allows. Ports
        # are the pods' (a NetworkPolicy sees traffic after the Service's translation), not the Service's.
        rules = []
        if spec.network.client_namespaces:
            rules.append(
                _ingress(
                    [spec.port] if spec.grpc_port is None else [spec.port, spec.grpc_port],
                    [
                        networking.NetworkPolicyPeerArgs(
                            namespace_selector=meta.LabelSelectorArgs(match_labels=dict(selector))
                        )
                        for selector in spec.network.client_namespaces
                    ],
                )
            )
        if spec.network.monitoring_namespace is not None:
            monitoring = {NAMESPACE_NAME_LABEL: spec.network.monitoring_namespace}
            rules.append(
                _ingress(
                    [spec.metrics_port],
                    [
                        networking.NetworkPolicyPeerArgs(
                            namespace_selector=meta.LabelSelectorArgs(match_labels=monitoring)
                        )
                    ],
                )
            )
        return networking.NetworkPolicy(
            f"{name}-network-policy",
            metadata=self._metadata(spec, namespace),
            spec=networking.NetworkPolicySpecArgs(
                pod_selector=meta.LabelSelectorArgs(match_labels=_served_by(spec)),
                policy_types=["Ingress"],
                ingress=rules,
            ),
            opts=opts,
        )

    def _create_disruption_budget(
        self,
        name: str,
        spec: KubernetesServingSpec,
        namespace: pulumi.Input[str],
        opts: pulumi.ResourceOptions,
    ) -> policy.PodDisruptionBudget:
        min_available = spec.pdb_min_available
        return policy.PodDisruptionBudget(
            f"{name}-pdb",
            metadata=self._metadata(spec, namespace),
            spec=policy.PodDisruptionBudgetSpecArgs(
                selector=meta.LabelSelectorArgs(match_labels=_selector(spec)),
                min_available=min_available,
                # By default drains take one pod at a time, the next only once its replacement is
                # ready: a fixed minAvailable 1 would let a multi-node drain (a cluster upgrade) evict
                # all but one pod of a server the HPA scaled out under load. A single replica is
                # still evictable (minAvailable 1 would block every drain forever), a brief outage
                # that a single-replica service accepts anyway.
                max_unavailable=1 if min_available is None else None,
                # A crash-looping pod must not block drains: evict unhealthy pods regardless of the budget.
                unhealthy_pod_eviction_policy="AlwaysAllow",
            ),
            opts=opts,
        )


ROLLOUT_WAIT_MARGIN_SECONDS = 300
"""What Pulumi waits on top of the pods' start allowances before it fails a Deployment's create or update."""


def _rollout_timeouts(spec: KubernetesServingSpec, pods: int) -> pulumi.CustomTimeouts:
    """How long Pulumi waits for a Deployment of up to ``pods`` pods (10 minutes by default), since a GPU
    pod may need a new node, a large image and a slow model load (:attr:`start_allowance_seconds`).

    A create starts every pod at once: one allowance. An update rolls them one at a time (maxSurge 1,
    maxUnavailable 0: the next new pod starts once the last is ready), and Pulumi's wait covers the whole
    rollout, where Kubernetes' progress deadline is per step: one allowance per pod. Pulumi does not stop
    at a ProgressDeadlineExceeded (it reports it and waits on), so a shorter wait failed a healthy
    rollout of a scaled-out Deployment (4 pods of a 10-minute load took over the 30 minutes given)."""
    allowance = spec.start_allowance_seconds
    return pulumi.CustomTimeouts(
        create=f"{allowance + ROLLOUT_WAIT_MARGIN_SECONDS}s",
        update=f"{pods * allowance + ROLLOUT_WAIT_MARGIN_SECONDS}s",
    )


def _ingress(
    ports: list[int], peers: list[networking.NetworkPolicyPeerArgs]
) -> networking.NetworkPolicyIngressRuleArgs:
    return networking.NetworkPolicyIngressRuleArgs(
        from_=peers, ports=[networking.NetworkPolicyPortArgs(port=port, protocol="TCP") for port in ports]
    )


def _camel(snake: str) -> str:
    first, *rest = snake.split("_")
    return first + "".join(part.capitalize() for part in rest)


def _pods_metric(name: str, target: str) -> autoscaling.MetricSpecArgs:
    """A per-pod metric from the custom metrics API, averaged over the pods."""
    return autoscaling.MetricSpecArgs(
        type="Pods",
        pods=autoscaling.PodsMetricSourceArgs(
            metric=autoscaling.MetricIdentifierArgs(name=name),
            target=autoscaling.MetricTargetArgs(type="AverageValue", average_value=target),
        ),
    )


def _toleration(toleration: Toleration) -> core.TolerationArgs:
    return core.TolerationArgs(
        key=toleration.key, operator=toleration.operator, value=toleration.value, effect=toleration.effect
    )


def _scratch(name: str, size: str) -> core.VolumeArgs:
    # Node-local scratch space, bounded so a runaway download evicts this pod, not its neighbours.
    return core.VolumeArgs(name=name, empty_dir=core.EmptyDirVolumeSourceArgs(size_limit=size))


def _probe(path: str, *, period: int, timeout: int, failures: int) -> core.ProbeArgs:
    return core.ProbeArgs(
        http_get=core.HTTPGetActionArgs(path=path, port="http", scheme="HTTP"),
        period_seconds=period,
        timeout_seconds=timeout,
        failure_threshold=failures,
        success_threshold=1,
    )
