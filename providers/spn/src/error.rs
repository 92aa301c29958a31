//! The spn flow's own failures, before any request is sent.

use std::path::PathBuf;

use kubectl_aad_contract::{ErrorKind, ProviderError};

/// Why the service principal's credentials cannot be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SpnError {
    #[error("no client secret or certificate for the service principal")]
    NoCredential,
    #[error("cannot read client certificate {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("client certificate {0} has no private key")]
    NoKey(PathBuf),
    #[error("client certificate {0} has no certificate")]
    NoCertificate(PathBuf),
    #[error(
        "client certificate {0} could not be opened with the given password, or is not a PFX/P12 file"
    )]
    Pfx(PathBuf),
    #[error("no certificate in {0} matches its private key")]
    NoMatchingCertificate(PathBuf),
    #[error("client certificate {path} expired on {not_after}")]
    Expired { path: PathBuf, not_after: String },
    #[error("client certificate {path} is not valid before {not_before}")]
    NotYetValid { path: PathBuf, not_before: String },
}

impl From<SpnError> for ProviderError {
    fn from(err: SpnError) -> ProviderError {
        let hint = match &err {
            SpnError::NoCredential => {
                "pass --client-secret or --client-certificate, or set AZURE_CLIENT_SECRET / AZURE_CLIENT_CERTIFICATE_PATH"
            }
            SpnError::Read { .. } | SpnError::NoKey(_) | SpnError::NoCertificate(_) => {
                "use a PEM file with the certificate and its RSA private key, or a .pfx/.p12 file"
            }
            SpnError::Pfx(_) => {
                "check --client-certificate-password (or AZURE_CLIENT_CERTIFICATE_PASSWORD)"
            }
            SpnError::NoMatchingCertificate(_) => {
                "put the certificate that belongs to the private key in the file"
            }
            SpnError::Expired { .. } | SpnError::NotYetValid { .. } => {
                "upload a renewed certificate to the app registration and point --client-certificate at it"
            }
        };
        ProviderError::new(ErrorKind::InvalidRequest, err.to_string()).with_hint(hint)
    }
}
