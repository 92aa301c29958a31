//! `__complete` / `__completeNoDesc` (hidden), and `kubectl_complete-aad`: the candidates for
//! the word under the cursor in cobra's format, on stdout.

use std::io::Write as _;

use crate::complete;
use crate::env::Env;
use crate::error::ExitStatus;

/// Answers for `words` (the command line after the program name, the last word being typed).
pub(crate) fn run(
    words: &[String],
    descriptions: bool,
    env: &mut Env,
) -> anyhow::Result<ExitStatus> {
    let answer = complete::complete(crate::cli::command(env.program()), words, env);
    env.stdout
        .write_all(complete::render(&answer, descriptions).as_bytes())?;
    Ok(ExitStatus::Success)
}
