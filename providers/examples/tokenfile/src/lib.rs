//! `tokenfile`: an example of a provider library that adds a login mode kubectl-aad does not
//! have built in. The access token comes from a file that another agent keeps fresh — a Vault
//! agent, a sidecar that exchanges credentials, a CI step — so the cluster credential never
//! passes through kubeconfig, and kubectl-aad adds its cache, lock and output discipline.
//!
//! ```sh
//! cargo build --release -p kubectl-aad-tokenfile
//! cp target/release/libkubectl_aad_tokenfile.so ~/.kube/kubectl-aad-providers/
//! kubectl aad convert-kubeconfig -l tokenfile --provider-option path=/run/aks/token \
//!   --providers-dir ~/.kube/kubectl-aad-providers
//! ```
//!
//! The file holds either a JWT (its `exp` claim is the expiry) or JSON
//! `{"access_token": "...", "expires_on": <epoch seconds or RFC 3339>}`. The token is served from
//! kubectl-aad's cache until near its expiry and only while the file is unchanged, so the next
//! kubectl call after the agent rewrites it reads the new token. The file must be a regular file
//! of at most 64 KiB.
//!
//! Options: `--provider-option path=<file>` (required).

mod flow;

pub use flow::TokenFileProvider;

use std::borrow::Cow;

use kubectl_aad_contract::{Input, ModeDescriptor, Requirement};

/// The mode this library adds, described for the host.
pub fn descriptor() -> ModeDescriptor {
    ModeDescriptor {
        name: Cow::Borrowed("tokenfile"),
        aliases: Cow::Borrowed(&[]),
        summary: Cow::Borrowed("a token file another agent keeps fresh"),
        user_flow: false,
        pop: false,
        requires: Cow::Owned(vec![Requirement {
            any_of: Cow::Borrowed(&[Input::ProviderOptions]),
            missing: Cow::Borrowed("the token file is not set"),
            hint: Cow::Borrowed("pass --provider-option path=<file holding the token>"),
            at_convert: true,
        }]),
        identity: Cow::Borrowed(&[Input::ProviderOptions]),
        writes: Cow::Borrowed(&[]),
    }
}

kubectl_aad_contract::export_provider!(crate::descriptor(), crate::TokenFileProvider);
