//! The AKS calls: a cluster's kubeconfig (`listClusterUserCredential` with `format=exec`, or
//! `listClusterAdminCredential`), the clusters of a subscription, and the subscriptions; with
//! what each ARM refusal means for that call.

use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

use super::{Arm, ArmError, Outcome, Refusal};

/// A stable AKS api-version.
pub(crate) const AKS_API_VERSION: &str = "2024-09-01";
/// A stable subscriptions api-version.
const SUBSCRIPTIONS_API_VERSION: &str = "2022-12-01";

/// Which cluster: subscription, resource group, name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClusterId {
    /// The subscription id.
    pub(crate) subscription: String,
    /// The resource group.
    pub(crate) group: String,
    /// The cluster's name.
    pub(crate) name: String,
}

impl ClusterId {
    /// From `/subscriptions/S/resourceGroups/G/providers/Microsoft.ContainerService/managedClusters/N`
    /// (case-insensitive keys, as ARM treats them).
    pub(crate) fn parse(id: &str) -> Option<ClusterId> {
        let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
        match parts.as_slice() {
            [s, sub, rg, group, p, ns, mc, name]
                if s.eq_ignore_ascii_case("subscriptions")
                    && rg.eq_ignore_ascii_case("resourceGroups")
                    && p.eq_ignore_ascii_case("providers")
                    && ns.eq_ignore_ascii_case("Microsoft.ContainerService")
                    && mc.eq_ignore_ascii_case("managedClusters")
                    && [sub, group, name].iter().all(|v| valid_segment(v)) =>
            {
                Some(ClusterId {
                    subscription: (*sub).to_owned(),
                    group: (*group).to_owned(),
                    name: (*name).to_owned(),
                })
            }
            _ => None,
        }
    }

    /// The resource id.
    pub(crate) fn resource_id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.ContainerService/managedClusters/{}",
            self.subscription, self.group, self.name
        )
    }
}

/// Whether a value can stand in a resource id path segment (no separators, no query, no
/// escapes that would change the path).
pub(crate) fn valid_segment(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 260
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
}

/// The kubeconfig text AKS returns for the cluster (user, or admin).
pub(crate) fn credential(arm: &Arm, id: &ClusterId, admin: bool) -> Result<String, ArmError> {
    let action = match admin {
        true => "listClusterAdminCredential",
        false => "listClusterUserCredential",
    };
    let format = if admin { "" } else { "&format=exec" };
    let path = format!(
        "{}/{action}?api-version={AKS_API_VERSION}{format}",
        id.resource_id()
    );
    let answer = match arm.post(&path)? {
        Outcome::Answer(answer) => answer,
        Outcome::Refused(refusal) => return Err(explain(refusal, id, Some((action, admin)))),
    };
    kubeconfig_of(&answer).map_err(|what| arm.bad_answer(what))
}

/// The kubeconfig text in a credential answer (`kubeconfigs[0].value`, base64), or what is
/// wrong with the answer.
pub(crate) fn kubeconfig_of(answer: &Value) -> Result<String, &'static str> {
    let value = answer
        .get("kubeconfigs")
        .and_then(Value::as_array)
        .and_then(|all| all.first())
        .and_then(|first| first.get("value"))
        .and_then(Value::as_str)
        .ok_or("no kubeconfigs[0].value")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value)
        .map_err(|_| "a kubeconfig that is not base64")?;
    String::from_utf8(bytes).map_err(|_| "a kubeconfig that is not UTF-8")
}

/// One AKS cluster as `clusters` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ClusterSummary {
    /// Its name.
    pub(crate) name: String,
    /// Its resource group.
    pub(crate) resource_group: String,
    /// Its region.
    pub(crate) location: String,
    /// Its Kubernetes version.
    pub(crate) kubernetes_version: String,
    /// Whether Entra ID integration (AKS-managed) is on.
    pub(crate) entra_id: bool,
    /// Whether Azure RBAC for Kubernetes authorization is on.
    pub(crate) azure_rbac: bool,
    /// Whether local accounts are disabled.
    pub(crate) local_accounts_disabled: bool,
    /// Its resource id.
    pub(crate) id: String,
}

/// The clusters of `subscription` the identity can see, every page.
pub(crate) fn clusters(arm: &Arm, subscription: &str) -> Result<Vec<ClusterSummary>, ArmError> {
    let path = format!(
        "/subscriptions/{subscription}/providers/Microsoft.ContainerService/managedClusters?api-version={AKS_API_VERSION}"
    );
    let items = match arm.list(&path)? {
        Ok(items) => items,
        Err(refusal) => {
            let id = ClusterId {
                subscription: subscription.to_owned(),
                group: String::new(),
                name: String::new(),
            };
            return Err(explain(refusal, &id, None));
        }
    };
    Ok(items.iter().filter_map(summary).collect())
}

pub(crate) fn summary(item: &Value) -> Option<ClusterSummary> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let id = item.get("id")?.as_str()?.to_owned();
    let props = item.get("properties").unwrap_or(&Value::Null);
    let version = props
        .get("currentKubernetesVersion")
        .or_else(|| props.get("kubernetesVersion"))
        .map(text)
        .unwrap_or_default();
    let aad = props.get("aadProfile").unwrap_or(&Value::Null);
    Some(ClusterSummary {
        name: item.get("name").map(text).unwrap_or_default(),
        resource_group: ClusterId::parse(&id).map(|c| c.group).unwrap_or_default(),
        location: item.get("location").map(text).unwrap_or_default(),
        kubernetes_version: version,
        entra_id: aad.get("managed").and_then(Value::as_bool).unwrap_or(false),
        azure_rbac: aad
            .get("enableAzureRBAC")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        local_accounts_disabled: props
            .get("disableLocalAccounts")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        id,
    })
}

/// A subscription as `clusters` shows it without `--subscription`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct SubscriptionSummary {
    /// Its id.
    pub(crate) id: String,
    /// Its display name.
    pub(crate) name: String,
    /// Its tenant.
    pub(crate) tenant_id: String,
    /// Enabled, Disabled, Warned …
    pub(crate) state: String,
}

/// The subscriptions the identity can see, every page.
pub(crate) fn subscriptions(arm: &Arm) -> Result<Vec<SubscriptionSummary>, ArmError> {
    let path = format!("/subscriptions?api-version={SUBSCRIPTIONS_API_VERSION}");
    let items = arm.list(&path)?.map_err(ArmError::from)?;
    let text = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(items
        .iter()
        .map(|s| SubscriptionSummary {
            id: text(s, "subscriptionId"),
            name: text(s, "displayName"),
            tenant_id: text(s, "tenantId"),
            state: text(s, "state"),
        })
        .collect())
}

/// What an ARM refusal means for a call about `id` (`action`: the credential action asked).
fn explain(refusal: Refusal, id: &ClusterId, action: Option<(&str, bool)>) -> ArmError {
    match refusal.code.as_str() {
        "AuthorizationFailed" => {
            let (action, admin) = action.unwrap_or(("list the managed clusters", false));
            let scope = match id.name.is_empty() {
                true => format!("/subscriptions/{}", id.subscription),
                false => id.resource_id(),
            };
            ArmError::AuthorizationFailed {
                action: action.to_owned(),
                scope,
                role: match (admin, id.name.is_empty()) {
                    (_, true) => "Reader role (or Azure Kubernetes Service Cluster User Role)",
                    (true, false) => "Azure Kubernetes Service Cluster Admin Role",
                    (false, false) => "Azure Kubernetes Service Cluster User Role",
                },
            }
        }
        "SubscriptionNotFound" | "InvalidSubscriptionId" => {
            ArmError::SubscriptionNotFound(id.subscription.clone())
        }
        "ResourceGroupNotFound" => ArmError::ResourceGroupNotFound {
            subscription: id.subscription.clone(),
            group: id.group.clone(),
        },
        "ResourceNotFound" => ArmError::ClusterNotFound {
            subscription: id.subscription.clone(),
            group: id.group.clone(),
            name: id.name.clone(),
        },
        "BadRequest" if refusal.message.contains("disable local accounts") => {
            ArmError::LocalAccountsDisabled(id.name.clone())
        }
        _ => refusal.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_ids_parse_case_insensitively_and_refuse_anything_else() {
        let id = ClusterId::parse(
            "/subscriptions/9f6c1e0a-0000-0000-0000-000000000001/resourcegroups/rg-1/providers/microsoft.containerservice/managedclusters/aks-prod",
        )
        .expect("an AKS id");
        assert_eq!((id.group.as_str(), id.name.as_str()), ("rg-1", "aks-prod"));
        assert!(id.resource_id().ends_with("/managedClusters/aks-prod"));
        for bad in [
            "",
            "/subscriptions/s/resourceGroups/g",
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/v",
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/a?x=1",
            "/subscriptions/s/resourceGroups/../providers/Microsoft.ContainerService/managedClusters/a/b",
        ] {
            assert!(ClusterId::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn refusals_are_explained_for_the_call() {
        let id = ClusterId {
            subscription: "s".into(),
            group: "g".into(),
            name: "n".into(),
        };
        let refuse = |code: &str, message: &str| Refusal {
            status: 400,
            code: code.into(),
            message: message.into(),
        };
        let denied = explain(
            refuse("AuthorizationFailed", "x"),
            &id,
            Some(("listClusterAdminCredential", true)),
        );
        assert!(
            denied
                .to_string()
                .contains("Azure Kubernetes Service Cluster Admin Role"),
            "{denied}"
        );
        let denied = explain(
            refuse("AuthorizationFailed", "x"),
            &id,
            Some(("listClusterUserCredential", false)),
        );
        assert!(denied.to_string().contains("Cluster User Role"), "{denied}");
        assert!(matches!(
            explain(refuse("ResourceNotFound", ""), &id, None),
            ArmError::ClusterNotFound { .. }
        ));
        assert!(matches!(
            explain(
                refuse(
                    "BadRequest",
                    "Getting static credential is not allowed because this cluster is set to disable local accounts."
                ),
                &id,
                None
            ),
            ArmError::LocalAccountsDisabled(_)
        ));
        assert!(matches!(
            explain(refuse("Conflict", "busy"), &id, None),
            ArmError::Other { .. }
        ));
    }

    #[test]
    fn cluster_summaries_read_real_shaped_resources() {
        let item = serde_json::json!({
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
            "name": "aks", "location": "westeurope",
            "properties": {"kubernetesVersion": "1.31", "currentKubernetesVersion": "1.31.2",
                "aadProfile": {"managed": true, "enableAzureRBAC": false}, "disableLocalAccounts": true}
        });
        let s = summary(&item).expect("summary");
        assert_eq!(
            (s.resource_group.as_str(), s.kubernetes_version.as_str()),
            ("rg", "1.31.2")
        );
        assert!(s.entra_id && !s.azure_rbac && s.local_accounts_disabled);
        assert!(summary(&serde_json::json!({"name": "no id"})).is_none());
    }
}
