//! Host name lookups on Linux without the C library: `/etc/hosts` first, then the name servers
//! of `/etc/resolv.conf`, with hickory. A statically linked binary cannot load glibc's NSS
//! modules, so `getaddrinfo` would not work there; and no lookup ever falls back to a public
//! resolver (hickory's own default), which would send the names we look up off the machine.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use hickory_resolver::TokioResolver;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// The system's resolver, built on first use (inside the HTTP client's runtime).
#[derive(Default)]
pub(crate) struct SystemResolver {
    resolver: OnceLock<Result<TokioResolver, String>>,
}

impl SystemResolver {
    /// A shared resolver for an HTTP client.
    pub(crate) fn shared() -> Arc<SystemResolver> {
        Arc::new(SystemResolver::default())
    }
}

impl Resolve for SystemResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let resolver = self
            .resolver
            .get_or_init(|| {
                TokioResolver::builder_tokio()
                    .map(|builder| builder.build())
                    .map_err(|err| {
                        format!("cannot read the DNS configuration in /etc/resolv.conf: {err}")
                    })
                    .and_then(|built| {
                        built.map_err(|err| format!("cannot set up DNS lookups: {err}"))
                    })
            })
            .clone();
        Box::pin(async move {
            let resolver = resolver?;
            let found = resolver.lookup_ip(name.as_str()).await?;
            let addresses: Vec<SocketAddr> =
                found.iter().map(|ip| SocketAddr::new(ip, 0)).collect();
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}
