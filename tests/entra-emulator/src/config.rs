//! [`EmulatorConfig`]: the tenants, applications and users the emulator knows.

/// An application registration.
#[derive(Clone, Debug, Default)]
pub struct Client {
    /// The application (client) id.
    pub id: String,
    /// A client secret, for confidential clients.
    pub secret: Option<String>,
    /// A registered certificate (DER), for certificate assertions.
    pub certificate_der: Option<Vec<u8>>,
    /// The service principal's object id.
    pub object_id: String,
    /// Groups of the service principal.
    pub groups: Vec<String>,
    /// A public client (device code, browser, ROPC): no secret, loopback redirects.
    pub public: bool,
}

/// A user account.
#[derive(Clone, Debug, Default)]
pub struct User {
    /// The user principal name.
    pub username: String,
    /// The password.
    pub password: String,
    /// The object id.
    pub object_id: String,
    /// Group object ids.
    pub groups: Vec<String>,
}

/// What the emulator knows.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Tenant ids (or domains) it answers for.
    pub tenants: Vec<String>,
    /// Application registrations.
    pub clients: Vec<Client>,
    /// User accounts.
    pub users: Vec<User>,
    /// Lifetime of issued access tokens.
    pub token_lifetime_secs: u64,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            tenants: vec!["tenant1".into()],
            clients: vec![],
            users: vec![],
            token_lifetime_secs: 3600,
        }
    }
}

impl EmulatorConfig {
    /// Adds a user.
    pub fn with_user(mut self, user: User) -> Self {
        self.users.push(user);
        self
    }

    /// Registers a public client (the AKS client app, the Azure CLI …).
    pub fn with_public_client(mut self, id: &str) -> Self {
        self.clients.push(Client {
            id: id.into(),
            public: true,
            object_id: format!("oid-{id}"),
            ..Client::default()
        });
        self
    }

    /// Adds a client.
    pub fn with_client(mut self, client: Client) -> Self {
        self.clients.push(client);
        self
    }

    /// Adds a tenant.
    pub fn with_tenant(mut self, tenant: &str) -> Self {
        self.tenants.push(tenant.to_owned());
        self
    }
}
