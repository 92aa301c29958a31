//! The `kubectl-aad` binary: build the real [`Env`], run, render any error as one stderr line,
//! and return the exit code.

use std::process::ExitCode;

use kubectl_aad::env::Env;
use kubectl_aad::error;

fn main() -> ExitCode {
    let mut env = Env::from_process();
    match kubectl_aad::run(std::env::args_os(), &mut env) {
        Ok(status) => status.into(),
        Err(err) if error::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            env.say(&error::render(&err));
            error::status_of(&err).into()
        }
    }
}
