//! One module per subcommand; each exposes one `run`, re-exported here under the command's name.

mod completion;
mod context;
mod convert_kubeconfig;
mod get_token;
mod login;
mod providers;
mod remove_tokens;
mod version;
mod whoami;

pub use completion::run as completion;
pub use convert_kubeconfig::run as convert_kubeconfig;
pub use get_token::run as get_token;
pub use login::run as login;
pub use providers::run as providers;
pub use remove_tokens::run as remove_tokens;
pub use version::run as version;
pub use whoami::run as whoami;
