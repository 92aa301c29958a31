//! `entra-emulator`: runs the emulator until stdin closes, for scripts (benchmarks, manual
//! trials). Prints one JSON line with the authority host and the CA file to trust.
//!
//! ```text
//! entra-emulator [--tenant T]... [--client ID:SECRET]... [--lifetime SECS]
//! ```

use std::io::Read as _;

use entra_emulator::{Client, Emulator, EmulatorConfig};

fn main() -> anyhow::Result<()> {
    let mut config = EmulatorConfig {
        tenants: vec![],
        ..EmulatorConfig::default()
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--tenant" => config.tenants.push(value),
            "--client" => {
                let (id, secret) = value
                    .split_once(':')
                    .ok_or_else(|| anyhow::anyhow!("--client takes ID:SECRET"))?;
                config.clients.push(Client {
                    id: id.into(),
                    secret: Some(secret.into()),
                    object_id: format!("oid-{id}"),
                    ..Client::default()
                });
            }
            "--lifetime" => config.token_lifetime_secs = value.parse()?,
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    if config.tenants.is_empty() {
        config.tenants.push("tenant1".into());
    }
    let emulator = Emulator::start(config)?;
    let ready = serde_json::json!({"authority_host": emulator.authority_host(), "ca_file": emulator.ca_file()});
    let mut stdout = std::io::stdout().lock();
    std::io::Write::write_all(&mut stdout, format!("{ready}\n").as_bytes())?;
    std::io::Write::flush(&mut stdout)?;
    drop(stdout);
    // Serve until whoever started us closes our stdin (or kills us).
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(emulator);
    Ok(())
}
