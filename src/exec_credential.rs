//! `client.authentication.k8s.io` ExecCredential: `KUBERNETES_EXEC_INFO` in, one compact JSON
//! document out.
//!
//! The answer must use the apiVersion the caller asked for (client-go compares it); an absent
//! variable means a manual run, answered in v1beta1 as kubelogin does. Unknown fields of the
//! input are ignored (the Python client adds its own).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The two exec credential versions client-go speaks today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExecApiVersion {
    /// `client.authentication.k8s.io/v1beta1`
    V1Beta1,
    /// `client.authentication.k8s.io/v1`
    V1,
}

impl ExecApiVersion {
    /// The full apiVersion string.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ExecApiVersion::V1Beta1 => "client.authentication.k8s.io/v1beta1",
            ExecApiVersion::V1 => "client.authentication.k8s.io/v1",
        }
    }

    /// Parses a full apiVersion string.
    pub(crate) fn parse(text: &str) -> Option<ExecApiVersion> {
        match text {
            "client.authentication.k8s.io/v1beta1" => Some(ExecApiVersion::V1Beta1),
            "client.authentication.k8s.io/v1" => Some(ExecApiVersion::V1),
            _ => None,
        }
    }
}

/// What `KUBERNETES_EXEC_INFO` told us.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExecInfo {
    /// The version to answer in.
    pub api_version: ExecApiVersion,
    /// `spec.interactive`; `None` for a manual run without the variable.
    pub interactive: Option<bool>,
    /// `spec.cluster`, present with `provideClusterInfo: true`.
    pub cluster: Option<ExecCluster>,
}

/// `spec.cluster` (only the fields we use; the rest is ignored).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct ExecCluster {
    /// The API server URL.
    #[serde(default)]
    pub server: Option<String>,
    /// The `client.authentication.k8s.io/exec` extension of the cluster entry.
    #[serde(default)]
    pub config: Option<serde_json::Value>,
}

/// Why `KUBERNETES_EXEC_INFO` could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum ExecInfoError {
    /// Not JSON, or not an ExecCredential.
    #[error("KUBERNETES_EXEC_INFO is not a valid ExecCredential: {0}")]
    Invalid(String),
    /// A version we cannot answer in.
    #[error(
        "KUBERNETES_EXEC_INFO asks for apiVersion {0:?}; kubectl-aad answers client.authentication.k8s.io/v1 and v1beta1; set apiVersion to one of them in the kubeconfig exec entry"
    )]
    UnsupportedVersion(String),
}

#[derive(Deserialize)]
struct RawExecInfo {
    #[serde(default, rename = "apiVersion")]
    api_version: Option<String>,
    #[serde(default)]
    spec: Option<RawSpec>,
}

#[derive(Deserialize)]
struct RawSpec {
    #[serde(default)]
    interactive: Option<bool>,
    #[serde(default)]
    cluster: Option<ExecCluster>,
}

/// Parses the variable's value (`None` when unset).
pub(crate) fn parse_exec_info(raw: Option<&str>) -> Result<ExecInfo, ExecInfoError> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(ExecInfo {
            api_version: ExecApiVersion::V1Beta1,
            interactive: None,
            cluster: None,
        });
    };
    let parsed: RawExecInfo =
        serde_json::from_str(raw).map_err(|err| ExecInfoError::Invalid(err.to_string()))?;
    let api_version = match parsed.api_version.as_deref() {
        None | Some("") => ExecApiVersion::V1Beta1,
        Some(version) => ExecApiVersion::parse(version)
            .ok_or_else(|| ExecInfoError::UnsupportedVersion(version.to_owned()))?,
    };
    let (interactive, cluster) = match parsed.spec {
        Some(spec) => (spec.interactive, spec.cluster),
        None => (None, None),
    };
    Ok(ExecInfo {
        api_version,
        interactive,
        cluster,
    })
}

#[derive(Serialize)]
struct Output<'a> {
    kind: &'static str,
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    spec: OutputSpec,
    status: OutputStatus<'a>,
}

#[derive(Serialize)]
struct OutputSpec {
    interactive: bool,
}

#[derive(Serialize)]
struct OutputStatus<'a> {
    #[serde(rename = "expirationTimestamp")]
    expiration_timestamp: String,
    token: &'a str,
}

/// Renders the one JSON document `get-token` prints, with a trailing newline.
pub(crate) fn render(
    api_version: ExecApiVersion,
    token: &str,
    expires_secs: u64,
    interactive: bool,
) -> String {
    let output = Output {
        kind: "ExecCredential",
        api_version: api_version.as_str(),
        spec: OutputSpec { interactive },
        status: OutputStatus {
            expiration_timestamp: rfc3339_secs(expires_secs),
            token,
        },
    };
    let mut json = serde_json::to_string(&output).unwrap_or_default();
    json.push('\n');
    json
}

/// RFC 3339 UTC with seconds precision, as metav1.Time.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    rfc3339_secs(secs)
}

/// The last second RFC 3339 can write (9999-12-31T23:59:59Z).
pub(crate) const LAST_RFC3339_SECOND: u64 = 253_402_300_799;

/// RFC 3339 UTC of a time in seconds since the epoch, clamped to what RFC 3339 can write, so
/// no stored time can make rendering panic.
pub(crate) fn rfc3339_secs(secs: u64) -> String {
    let secs = secs.min(LAST_RFC3339_SECOND);
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(secs)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_version_like_kubelogin() {
        assert_eq!(
            parse_exec_info(None).map(|i| i.api_version),
            Ok(ExecApiVersion::V1Beta1)
        );
        assert_eq!(
            parse_exec_info(Some("")).map(|i| i.api_version),
            Ok(ExecApiVersion::V1Beta1)
        );
        assert_eq!(
            parse_exec_info(Some(r#"{"kind":"ExecCredential"}"#)).map(|i| i.api_version),
            Ok(ExecApiVersion::V1Beta1)
        );
        assert_eq!(
            parse_exec_info(Some(
                r#"{"apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}"#
            ))
            .map(|i| (i.api_version, i.interactive)),
            Ok((ExecApiVersion::V1, Some(false)))
        );
        assert!(matches!(
            parse_exec_info(Some(
                r#"{"apiVersion":"client.authentication.k8s.io/v1alpha1"}"#
            )),
            Err(ExecInfoError::UnsupportedVersion(_))
        ));
        assert!(matches!(
            parse_exec_info(Some("{oops")),
            Err(ExecInfoError::Invalid(_))
        ));
    }

    #[test]
    fn reads_cluster_info_and_ignores_unknown_fields() {
        let info = parse_exec_info(Some(r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"cluster":{"server":"https://127.0.0.1:6443","certificate-authority-data":"AA==","config":{"audience":"x"}},"interactive":true,"response":{}}}"#)).expect("valid");
        let cluster = info.cluster.expect("cluster");
        assert_eq!(cluster.server.as_deref(), Some("https://127.0.0.1:6443"));
        assert_eq!(cluster.config, Some(serde_json::json!({"audience": "x"})));
        assert_eq!(info.interactive, Some(true));
    }

    #[test]
    fn no_time_makes_rendering_panic() {
        assert_eq!(rfc3339_secs(u64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339_secs(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn renders_one_compact_line() {
        let out = render(ExecApiVersion::V1, "tok\"en", 1_800_000_000, false);
        assert_eq!(
            out,
            "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\",\"spec\":{\"interactive\":false},\"status\":{\"expirationTimestamp\":\"2027-01-15T08:00:00Z\",\"token\":\"tok\\\"en\"}}\n"
        );
    }
}
