//! End-to-end tests: the real `kubectl-aad` binary, real kubectl, the Entra ID emulator and the
//! token-validating API server. One module per subcommand or concern.

mod fixture;
mod util;

// convert-kubeconfig on files: real kubectl reads the result; multi-file ownership; bad input.
mod convert;
// get-token's process contract: stdout, exit codes, KUBERNETES_EXEC_INFO.
mod get_token;
// the krew manifest and release archive.
mod krew;
// the spn provider end to end with kubectl, kube-rs, the emulator and the API server.
mod spn;
// devicecode, ropc and interactive sign-in, refresh and the non-interactive contract.
mod user_signin;
// the browser flow in headless Chromium, launched by kubectl.
mod browser;
// managed identity: IMDS and App Service endpoints of the emulator, retries, precedence.
mod managed_identity;
// workload identity (token file, GitHub Actions) and Azure Pipelines federation.
mod federation;
// azurecli with the real Azure CLI, and azd through a stand-in.
mod azure_cli;
// proof-of-possession tokens verified by the API server.
mod pop;
// crash safety: SIGKILL during writes; unusable cache directories.
mod crash;
// secret hygiene across scenarios and verbosity levels.
mod hygiene;
// fuzz seeds and regression inputs, replayed.
mod fuzz_regressions;
// the provider registry: built in, shared libraries, broken libraries.
mod providers;
// trust at the boundaries: hostile endpoints, local attackers.
mod trust;
// a local attacker: planted cache files, links, FIFOs, shared folders.
mod local_attacker;
// convert-kubeconfig among other writers and users: locks, owners, backups, secrets.
mod kubeconfig_writes;
// real-world answer shapes and the one line each failure becomes.
mod real_answers;
// version, help, usage errors.
mod misc;
// the static Linux release binary in an empty root.
mod static_binary;
// shell completion: kubectl's plugin completion, bash, zsh and fish, the static scripts.
mod completion;
// Tokens at rest: sealed with a key in the kernel keyring, the fallbacks, migration, races.
#[cfg(target_os = "linux")]
mod token_storage;
// get-credentials, clusters and status against the emulator's fake ARM, then real kubectl.
mod get_credentials;
