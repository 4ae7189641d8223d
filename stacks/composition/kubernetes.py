"""Kubernetes: model servers and their monitoring on an existing EKS cluster."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi

from stacks.config import PlatformConfig
from stacks.model_packages import ModelPackageResolver, ModelResolutionError, NoApprovedVersion

if TYPE_CHECKING:
    from components.kubernetes.alertmanager_sns_access import AlertmanagerSnsAccess
    from components.kubernetes.kubernetes_monitoring_spec import KubernetesMonitoringSpec
    from components.kubernetes.kubernetes_serving import KubernetesServing, RegistryModel
    from components.kubernetes.kubernetes_serving_spec import KubernetesServingSpec
    from components.kubernetes.model_artifact_access import ModelArtifactAccess
    from components.observability.alert_topic import AlertTopic
    from stacks.composition.foundation import Foundation


def scraped_by(
    spec: KubernetesServingSpec, monitoring: KubernetesMonitoringSpec | None
) -> KubernetesServingSpec:
    """The serving's spec with its NetworkPolicy letting the stack's Prometheus scrape it: the monitoring
    namespace, unless the stack file sets `network.monitoring_namespace` itself."""
    if monitoring is None or "monitoring_namespace" in spec.network.model_fields_set:
        return spec
    network = spec.network.model_copy(update={"monitoring_namespace": monitoring.namespace})
    return spec.model_copy(update={"network": network})


def build_kubernetes_servings(
    config: PlatformConfig,
    kubeconfig: pulumi.Input[str] | None,
    foundation: Foundation | None = None,
    alerts: AlertTopic | None = None,
    aws_opts: pulumi.ResourceOptions | None = None,
    resolve: ModelPackageResolver | None = None,
) -> dict[str, KubernetesServing]:
    """The servings on the cluster, and its monitoring; ``foundation``, ``alerts`` and ``aws_opts`` (the
    stack's AWS provider) are needed when the monitoring's alerts go to the SNS alert topic or a serving
    reads an approved version's artifact, ``resolve`` (the registry) when a serving follows a family."""
    if not config.kubernetes_serving.servings:
        return {}
    models = _resolve_models(config, resolve)
    servings = [
        spec
        for spec in config.kubernetes_serving.servings
        if spec.latest_approved_of is None or (spec.namespace, spec.name) in models
    ]
    if kubeconfig is None:
        raise ValueError("kubernetes_serving needs the cluster's kubeconfig")
    # Imported only for stacks that serve on Kubernetes: merely having pulumi_kubernetes loaded
    # makes the Pulumi runtime load every one of its modules during a run (about a second).
    from components.kubernetes.kubernetes_serving import (
        KubernetesServing,
        KubernetesServingArgs,
        kubernetes_provider,
    )

    provider = kubernetes_provider(
        "kubernetes", kubeconfig, cluster_identifier=config.kubernetes_serving.cluster_arn
    )
    on_cluster = pulumi.ResourceOptions(providers=[provider])
    monitoring = config.kubernetes_serving.scrape_targets
    if monitoring is not None:
        from components.kubernetes.kubernetes_monitoring import KubernetesMonitoring, KubernetesMonitoringArgs

        # Deferred servings are not alerted on (their Deployment does not exist).
        scraped = {(target.namespace, target.name) for target in monitoring.scrape}
        topic_arn = None
        credentials: list[pulumi.Resource] = []
        if config.kubernetes_alerts_to_sns:
            if foundation is None or alerts is None or aws_opts is None:
                raise ValueError("alerting to SNS needs the foundation, the alert topic and the AWS provider")
            topic_arn = alerts.topic_arn
            # Before the monitoring: Alertmanager's pods get the role's credentials only if the association
            # exists when they start.
            credentials = [
                _alertmanager_publishes(config, foundation, alerts, monitoring.namespace, aws_opts)
            ]
        # No depends_on the servings: ServiceMonitors select Services by label, whenever they appear.
        KubernetesMonitoring(
            "k8s-monitoring",
            KubernetesMonitoringArgs(
                spec=monitoring,
                labels=config.resource_tags,
                # Alert on the servings Prometheus scrapes: the others' request metrics never arrive.
                servings=[spec for spec in servings if (spec.namespace, spec.name) in scraped],
                alert_topic_arn=topic_arn,
                region=config.region,
                alertmanager_credentials=credentials,
            ),
            on_cluster,
        )
    built = {}
    for spec in servings:
        model = models.get((spec.namespace, spec.name))
        # Before the serving: its pods get the artifact role's credentials only if the association exists.
        reads: list[pulumi.Resource] = (
            [_reads_its_artifact(config, spec, model.model_data_url, foundation, aws_opts)]
            if model is not None and model.model_data_url is not None
            else []
        )
        built[f"{spec.namespace}/{spec.name}"] = KubernetesServing(
            f"k8s-{spec.namespace}-{spec.name}",
            KubernetesServingArgs(
                spec=scraped_by(spec, monitoring),
                labels=config.resource_tags,
                model=model,
                aws_credentials=reads,
            ),
            on_cluster,
        )
    return built


def _resolve_models(
    config: PlatformConfig, resolve: ModelPackageResolver | None
) -> dict[tuple[str, str], RegistryModel]:
    """A serving's (namespace, name) → the approved version it runs, for the servings that follow a
    family (keyed like the servings: one name may serve in two namespaces, from a family or an image);
    a serving whose family has nothing approved yet is left out (deferred) with a warning, like a
    SageMaker endpoint."""
    from components.kubernetes.kubernetes_serving import RegistryModel

    models = {}
    for spec in config.kubernetes_serving.servings:
        if spec.latest_approved_of is None:
            continue
        if resolve is None:
            raise ValueError("a serving that follows a model family needs the registry resolver")
        group = config.model_package_group(spec.latest_approved_of)
        try:
            resolved = resolve(group)
        except NoApprovedVersion as nothing:
            pulumi.log.warn(
                f"kubernetes serving {spec.namespace}/{spec.name} is deferred: model package group "
                f"{nothing.group} "
                + ("has no Approved version yet" if nothing.group_exists else "does not exist yet")
                + ". This `pulumi up` creates everything else and not the serving; approve a version of the "
                "family, then run `pulumi up` again. A serving that is already deployed is removed by such a "
                "run: keep a version approved while it serves."
            )
            continue
        if len(resolved.model_data_urls) > 1:
            raise ModelResolutionError(
                f"kubernetes serving {spec.namespace}/{spec.name}: model package {resolved.arn} has "
                f"{len(resolved.model_data_urls)} containers with model artifacts; a Kubernetes serving runs one server"
            )
        url = resolved.model_data_urls[0] if resolved.model_data_urls else None
        models[(spec.namespace, spec.name)] = RegistryModel(package_arn=resolved.arn, model_data_url=url)
    return models


def _reads_its_artifact(
    config: PlatformConfig,
    spec: KubernetesServingSpec,
    url: str,
    foundation: Foundation | None,
    aws_opts: pulumi.ResourceOptions | None,
) -> ModelArtifactAccess:
    from components.kubernetes.model_artifact_access import ModelArtifactAccess, ModelArtifactAccessArgs

    if foundation is None or aws_opts is None or config.kubernetes_serving.cluster_arn is None:
        raise ValueError("reading a model artifact needs the foundation, the AWS provider and cluster_arn")
    return ModelArtifactAccess(
        f"k8s-{spec.namespace}-{spec.name}-artifact",
        ModelArtifactAccessArgs(
            account_id=config.account_id,
            region=config.region,
            cluster_name=config.kubernetes_serving.cluster_arn.rsplit("/", 1)[1],
            namespace=spec.namespace,
            # KubernetesServing names the pods' service account after the serving.
            service_account=spec.name,
            model_data_url=url,
            # The training pipeline writes models to the artifacts bucket, encrypted with the data key.
            kms_key_arn=foundation.data_key.key_arn,
            role_path=config.role_path,
            tags=config.resource_tags,
        ),
        aws_opts,
    )


def _alertmanager_publishes(
    config: PlatformConfig,
    foundation: Foundation | None,
    alerts: AlertTopic | None,
    namespace: str,
    aws_opts: pulumi.ResourceOptions | None,
) -> AlertmanagerSnsAccess:
    """Alertmanager's SNS role and its Pod Identity association in the monitoring ``namespace``
    (named, not taken from the Namespace object: EKS keeps associations outside the cluster and does
    not look for the namespace or the service account)."""
    from components.kubernetes.alertmanager_sns_access import AlertmanagerSnsAccess, AlertmanagerSnsAccessArgs
    from components.kubernetes.kubernetes_alerts import ALERTMANAGER_SERVICE_ACCOUNT

    assert foundation is not None and alerts is not None and config.kubernetes_serving.cluster_arn
    return AlertmanagerSnsAccess(
        "k8s-alertmanager-sns",
        AlertmanagerSnsAccessArgs(
            account_id=config.account_id,
            region=config.region,
            cluster_name=config.kubernetes_serving.cluster_arn.rsplit("/", 1)[1],
            namespace=namespace,
            service_account=ALERTMANAGER_SERVICE_ACCOUNT,
            topic_arn=alerts.topic_arn,
            kms_key_arn=foundation.notifications_key.key_arn,
            role_path=config.role_path,
            tags=config.resource_tags,
        ),
        aws_opts,
    )
