//! A fake Azure Resource Manager for AKS, with real-shaped answers: the managed clusters of a
//! subscription (paged with `nextLink`), and the `listClusterUserCredential` /
//! `listClusterAdminCredential` actions with ARM's errors — SubscriptionNotFound,
//! ResourceGroupNotFound, ResourceNotFound, AuthorizationFailed (per principal and role),
//! local accounts disabled — and queued faults (429 with `Retry-After`, 5xx).
//!
//! The bearer token must be one the emulator issued for the ARM audience and not expired; its
//! `oid` is the principal the role checks use.

use axum::Json;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use std::collections::HashMap;

use crate::handler::{Shared, lock, log, now};

/// The audience ARM accepts (the Azure CLI's resource).
pub const ARM_AUDIENCE: &str = "https://management.core.windows.net/";

/// An AKS cluster the fake ARM knows.
#[derive(Clone, Debug, Default)]
pub struct AksCluster {
    /// Subscription id.
    pub subscription: String,
    /// Resource group.
    pub resource_group: String,
    /// Cluster name.
    pub name: String,
    /// Azure region.
    pub location: String,
    /// Kubernetes version.
    pub kubernetes_version: String,
    /// The API server URL written into the kubeconfig.
    pub server: String,
    /// The API server's CA, PEM.
    pub ca_pem: String,
    /// The cluster's Entra ID tenant.
    pub tenant: String,
    /// `disableLocalAccounts`.
    pub local_accounts_disabled: bool,
    /// Object ids with the Azure Kubernetes Service Cluster User Role.
    pub users: Vec<String>,
    /// Object ids with the Azure Kubernetes Service Cluster Admin Role.
    pub admins: Vec<String>,
}

impl AksCluster {
    fn id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.ContainerService/managedClusters/{}",
            self.subscription, self.resource_group, self.name
        )
    }

    fn resource(&self) -> Value {
        json!({
            "id": self.id(),
            "location": self.location,
            "name": self.name,
            "type": "Microsoft.ContainerService/ManagedClusters",
            "properties": {
                "provisioningState": "Succeeded",
                "powerState": {"code": "Running"},
                "kubernetesVersion": self.kubernetes_version,
                "currentKubernetesVersion": self.kubernetes_version,
                "dnsPrefix": format!("{}-dns", self.name),
                "fqdn": format!("{}-dns-12345678.hcp.{}.azmk8s.io", self.name, self.location),
                "aadProfile": {"managed": true, "enableAzureRBAC": true, "tenantID": self.tenant},
                "disableLocalAccounts": self.local_accounts_disabled,
            },
        })
    }

    /// The kubeconfig AKS returns: exec (kubelogin devicecode) for users, a token for admins.
    fn kubeconfig(&self, admin: bool) -> String {
        let ca = STANDARD.encode(&self.ca_pem);
        let (context, user, user_body) = match admin {
            true => (
                format!("{}-admin", self.name),
                format!("clusterAdmin_{}_{}", self.resource_group, self.name),
                "    token: admin-static-token-0123456789abcdef\n".to_owned(),
            ),
            false => (
                self.name.clone(),
                format!("clusterUser_{}_{}", self.resource_group, self.name),
                format!(
                    "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      args:\n      - get-token\n      - --environment\n      - AzurePublicCloud\n      - --server-id\n      - 6dae42f8-4368-4678-94ff-3960e28e3630\n      - --client-id\n      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a\n      - --tenant-id\n      - {}\n      - --login\n      - devicecode\n      command: kubelogin\n      env: null\n      installHint: |2\n\n        kubelogin is not installed which is required to connect to AAD enabled cluster.\n      provideClusterInfo: false\n",
                    self.tenant
                ),
            ),
        };
        format!(
            "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: {ca}\n    server: {server}\n  name: {name}\ncontexts:\n- context:\n    cluster: {name}\n    user: {user}\n  name: {context}\ncurrent-context: {context}\nkind: Config\npreferences: {{}}\nusers:\n- name: {user}\n  user:\n{user_body}",
            server = self.server,
            name = self.name,
        )
    }
}

/// A queued answer of the fake ARM: status, `Retry-After`, body.
#[derive(Clone, Debug)]
pub(crate) struct ArmFault {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<u64>,
    pub(crate) body: Value,
}

fn arm_error(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

/// The caller's object id, from a live token the emulator issued for ARM.
fn caller(headers: &HeaderMap) -> Result<String, Response> {
    let unauthorized = |why: &str| {
        arm_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            format!("The access token is invalid: {why}."),
        )
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| unauthorized("no bearer token"))?;
    let claims: Value = token
        .split('.')
        .nth(1)
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or_else(|| unauthorized("not a JWT"))?;
    // Entra ID issues the resource's identifier URI whether or not the scope had its slash.
    let audience = claims["aud"]
        .as_str()
        .unwrap_or_default()
        .trim_end_matches('/');
    if audience != ARM_AUDIENCE.trim_end_matches('/') {
        return Err(unauthorized("the audience is not Azure Resource Manager"));
    }
    if claims["exp"].as_u64().is_none_or(|exp| exp <= now()) {
        return Err(unauthorized("it has expired"));
    }
    claims["oid"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| unauthorized("no oid"))
}

/// A queued fault, if any, as ARM would send it.
fn take_fault(shared: &Shared) -> Option<Response> {
    let fault = lock(shared).arm_faults.pop_front()?;
    let mut response = (
        StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        Json(fault.body),
    )
        .into_response();
    if let Some(secs) = fault.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    Some(response)
}

/// A queued fault first; else the caller's object id, when its token is good and the
/// subscription exists.
fn admit(shared: &Shared, headers: &HeaderMap, subscription: &str) -> Result<String, Response> {
    if let Some(fault) = take_fault(shared) {
        return Err(fault);
    }
    let oid = caller(headers)?;
    let known = lock(shared)
        .config
        .subscriptions
        .iter()
        .any(|s| s.id == subscription);
    match known {
        true => Ok(oid),
        false => Err(arm_error(
            StatusCode::NOT_FOUND,
            "SubscriptionNotFound",
            format!("The subscription '{subscription}' could not be found."),
        )),
    }
}

/// `GET /subscriptions/{s}/providers/Microsoft.ContainerService/managedClusters`, paged.
pub(crate) async fn list_clusters(
    AxumState(shared): AxumState<Shared>,
    Path(subscription): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> Response {
    let response = (|| {
        let oid = match admit(&shared, &headers, &subscription) {
            Ok(oid) => oid,
            Err(response) => return response,
        };
        let state = lock(&shared);
        let visible: Vec<Value> = state
            .aks_clusters
            .iter()
            .filter(|c| c.subscription == subscription)
            .filter(|c| c.users.contains(&oid) || c.admins.contains(&oid))
            .map(AksCluster::resource)
            .collect();
        let page = state.arm_page_size.max(1);
        let skip: usize = query
            .get("$skiptoken")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let value: Vec<Value> = visible.iter().skip(skip).take(page).cloned().collect();
        let mut body = json!({"value": value});
        if skip + page < visible.len() {
            body["nextLink"] = json!(format!(
                "{}/subscriptions/{subscription}/providers/Microsoft.ContainerService/managedClusters?api-version=2024-09-01&$skiptoken={}",
                state.url,
                skip + page
            ));
        }
        Json(body).into_response()
    })();
    log(&shared, &method, &uri, None, response.status().as_u16());
    response
}

/// `POST …/managedClusters/{n}/listClusterUserCredential` (or `…AdminCredential`).
pub(crate) async fn list_credential(
    AxumState(shared): AxumState<Shared>,
    Path((subscription, group, name, action)): Path<(String, String, String, String)>,
    headers: HeaderMap,
    method: Method,
    uri: Uri,
) -> Response {
    let response = (|| {
        let admin = match action.as_str() {
            "listClusterUserCredential" => false,
            "listClusterAdminCredential" => true,
            _ => {
                return arm_error(
                    StatusCode::NOT_FOUND,
                    "InvalidResourceType",
                    format!("The resource type '{action}' could not be found."),
                );
            }
        };
        let oid = match admit(&shared, &headers, &subscription) {
            Ok(oid) => oid,
            Err(response) => return response,
        };
        let state = lock(&shared);
        if !state.aks_clusters.iter().any(|c| {
            c.subscription == subscription && c.resource_group.eq_ignore_ascii_case(&group)
        }) {
            return arm_error(
                StatusCode::NOT_FOUND,
                "ResourceGroupNotFound",
                format!("Resource group '{group}' could not be found."),
            );
        }
        let Some(cluster) = state.aks_clusters.iter().find(|c| {
            c.subscription == subscription
                && c.resource_group.eq_ignore_ascii_case(&group)
                && c.name.eq_ignore_ascii_case(&name)
        }) else {
            return arm_error(
                StatusCode::NOT_FOUND,
                "ResourceNotFound",
                format!(
                    "The Resource 'Microsoft.ContainerService/managedClusters/{name}' under resource group '{group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
                ),
            );
        };
        let allowed = match admin {
            true => cluster.admins.contains(&oid),
            false => cluster.users.contains(&oid) || cluster.admins.contains(&oid),
        };
        if !allowed {
            return arm_error(
                StatusCode::FORBIDDEN,
                "AuthorizationFailed",
                format!(
                    "The client '{oid}' with object id '{oid}' does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/{action}/action' over scope '{}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
                    cluster.id()
                ),
            );
        }
        if admin && cluster.local_accounts_disabled {
            return (StatusCode::BAD_REQUEST, Json(json!({"code": "BadRequest", "details": null, "message": "Getting static credential is not allowed because this cluster is set to disable local accounts.", "subcode": ""}))).into_response();
        }
        let name = if admin { "clusterAdmin" } else { "clusterUser" };
        Json(json!({"kubeconfigs": [{"name": name, "value": STANDARD.encode(cluster.kubeconfig(admin))}]})).into_response()
    })();
    log(&shared, &method, &uri, None, response.status().as_u16());
    response
}
