//! Which managed-identity endpoint this machine offers, from the variables Azure sets.

use kubectl_aad_contract::{ErrorKind, ProviderError, TokenRequest};

/// The IMDS address on every Azure VM.
pub(crate) const DEFAULT_IMDS: &str = "http://169.254.169.254";

/// A managed-identity endpoint and how to call it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// Instance Metadata Service: `<base>/metadata/identity/oauth2/token`.
    Imds { base: String },
    /// App Service and friends: `IDENTITY_ENDPOINT` with the `IDENTITY_HEADER` secret.
    AppService { url: String, header: String },
    /// Azure Cloud Shell: a form POST to `MSI_ENDPOINT` (the signed-in user's token).
    CloudShell { url: String },
}

/// Looks at the environment the way Azure SDKs do; `var` reads one variable.
pub(crate) fn detect(
    request: &TokenRequest,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Endpoint, ProviderError> {
    let unsupported = |platform: &str, instead: &str| {
        ProviderError::new(
            ErrorKind::Unsupported,
            format!("managed identity on {platform} is not supported by kubectl-aad"),
        )
        .with_hint(instead.to_owned())
    };
    // Azure SDKs' order: the platform endpoints first, IMDS last; `--imds-endpoint` /
    // AZURE_POD_IDENTITY_AUTHORITY_HOST only move IMDS.
    match (var("IDENTITY_ENDPOINT"), var("IDENTITY_HEADER")) {
        (Some(_), Some(_)) if var("IDENTITY_SERVER_THUMBPRINT").is_some() => Err(unsupported(
            "Service Fabric",
            "use -l workloadidentity or -l spn from the cluster's application",
        )),
        (Some(url), Some(header)) => Ok(Endpoint::AppService { url, header }),
        (Some(_), None) if var("IMDS_ENDPOINT").is_some() => Err(unsupported(
            "Azure Arc",
            "use -l spn or -l workloadidentity on Arc-enabled servers",
        )),
        _ if var("MSI_SECRET").is_some() => Err(unsupported(
            "the 2017 App Service endpoint (MSI_ENDPOINT with MSI_SECRET)",
            "move the app to a current App Service runtime (IDENTITY_ENDPOINT), or use -l spn",
        )),
        _ => match var("MSI_ENDPOINT") {
            Some(url) => Ok(Endpoint::CloudShell { url }),
            None => Ok(Endpoint::Imds {
                base: request
                    .imds_endpoint
                    .as_deref()
                    .unwrap_or(DEFAULT_IMDS)
                    .trim_end_matches('/')
                    .to_owned(),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn request(imds: Option<&str>) -> TokenRequest {
        serde_json::from_value(serde_json::json!({
            "login": "msi", "authority_host": "https://login.microsoftonline.com/",
            "tenant_id": "", "client_id": "", "server_id": "s", "legacy": false,
            "client_secret": null, "client_certificate": null, "client_certificate_password": null,
            "username": null, "password": null, "identity_resource_id": null,
            "federated_token_file": null, "subscription": null, "service_connection_id": null,
            "redirect_url": null, "login_hint": null, "pop": null, "interactive": false,
            "timeout_secs": 5, "disable_instance_discovery": false, "imds_endpoint": imds,
        }))
        .expect("request")
    }

    fn detect_with(imds: Option<&str>, vars: &[(&str, &str)]) -> Result<Endpoint, ProviderError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        detect(&request(imds), |name| vars.get(name).cloned())
    }

    #[test]
    fn picks_the_endpoint_azure_sdks_would() {
        assert_eq!(
            detect_with(None, &[]).expect("imds"),
            Endpoint::Imds {
                base: DEFAULT_IMDS.into()
            }
        );
        assert_eq!(
            detect_with(Some("http://127.0.0.1:9/"), &[]).expect("override"),
            Endpoint::Imds {
                base: "http://127.0.0.1:9".into()
            }
        );
        assert_eq!(
            detect_with(
                Some("http://127.0.0.1:9/"),
                &[("IDENTITY_ENDPOINT", "x"), ("IDENTITY_HEADER", "h")]
            )
            .expect("app service first"),
            Endpoint::AppService {
                url: "x".into(),
                header: "h".into()
            }
        );
        assert_eq!(
            detect_with(
                None,
                &[
                    ("IDENTITY_ENDPOINT", "http://localhost:8081/msi/token"),
                    ("IDENTITY_HEADER", "h")
                ]
            )
            .expect("app service"),
            Endpoint::AppService {
                url: "http://localhost:8081/msi/token".into(),
                header: "h".into()
            }
        );
        assert_eq!(
            detect_with(
                None,
                &[("MSI_ENDPOINT", "http://localhost:50342/oauth2/token")]
            )
            .expect("cloud shell"),
            Endpoint::CloudShell {
                url: "http://localhost:50342/oauth2/token".into()
            }
        );
        for vars in [
            &[
                ("IDENTITY_ENDPOINT", "x"),
                ("IDENTITY_HEADER", "h"),
                ("IDENTITY_SERVER_THUMBPRINT", "t"),
            ][..],
            &[("IDENTITY_ENDPOINT", "x"), ("IMDS_ENDPOINT", "y")][..],
            &[("MSI_ENDPOINT", "x"), ("MSI_SECRET", "s")][..],
        ] {
            let err = detect_with(None, vars).expect_err("unsupported");
            assert_eq!(err.kind, ErrorKind::Unsupported, "{vars:?}");
        }
    }
}
