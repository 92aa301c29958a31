//! One module per subcommand; each exposes one `run(settings, env)`, re-exported here under the
//! command's name.

mod clusters;
mod complete;
mod completion;
mod convert_kubeconfig;
mod get_credentials;
mod get_token;
mod login;
mod providers;
mod remove_tokens;
mod status;
mod version;
mod whoami;

pub(crate) use clusters::run as clusters;
pub(crate) use complete::run as complete;
pub(crate) use completion::run as completion;
#[cfg(test)]
pub(crate) use convert_kubeconfig::convert_input;
pub(crate) use convert_kubeconfig::run as convert_kubeconfig;
pub(crate) use get_credentials::run as get_credentials;
pub(crate) use get_token::run as get_token;
pub(crate) use login::run as login;
pub(crate) use providers::run as providers;
pub(crate) use remove_tokens::run as remove_tokens;
pub(crate) use status::run as status;
pub(crate) use version::run as version;
pub(crate) use whoami::run as whoami;
