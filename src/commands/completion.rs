//! `completion <shell>`: a completion script on stdout. bash, zsh and fish get scripts that ask
//! `__complete` at TAB time (modes, clouds, kubeconfig contexts); powershell and elvish get
//! clap_complete's static script (subcommands, flags and modes).

use std::io::Write as _;

use clap_complete::Shell;

use crate::cli::CompletionArgs;
use crate::env::Env;
use crate::error::ExitStatus;

/// Writes the script for the requested shell.
pub(crate) fn run(args: CompletionArgs, env: &mut Env) -> anyhow::Result<ExitStatus> {
    let program = env.program().to_owned();
    let template = match args.shell {
        Shell::Bash => include_str!("../complete/scripts/bash.sh"),
        Shell::Zsh => include_str!("../complete/scripts/zsh.zsh"),
        Shell::Fish => include_str!("../complete/scripts/fish.fish"),
        other => {
            clap_complete::generate(
                other,
                &mut crate::cli::command(&program),
                program,
                &mut env.stdout,
            );
            return Ok(ExitStatus::Success);
        }
    };
    let request = match args.no_descriptions {
        true => "__completeNoDesc",
        false => "__complete",
    };
    let function: String = program
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let script = template
        .replace("@PROGRAM@", &program)
        .replace("@FUNCTION@", &function)
        .replace("@REQUEST@", request);
    env.stdout.write_all(script.as_bytes())?;
    Ok(ExitStatus::Success)
}
