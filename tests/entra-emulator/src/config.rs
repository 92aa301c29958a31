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
    /// Federated identity credentials: external tokens this application accepts as assertions.
    pub federated_credentials: Vec<FederatedCredential>,
}

/// A federated identity credential, as on an app registration or user-assigned identity:
/// tokens from `issuer` with this `subject` and `audience` stand in for a client secret.
#[derive(Clone, Debug)]
pub struct FederatedCredential {
    /// The external issuer (`iss`), e.g. a cluster's OIDC issuer URL.
    pub issuer: String,
    /// The subject (`sub`), e.g. `system:serviceaccount:ns:name`.
    pub subject: String,
    /// The audience (`aud`), normally `api://AzureADTokenExchange`.
    pub audience: String,
}

/// A managed identity reachable through the emulator's IMDS and App Service endpoints.
#[derive(Clone, Debug, Default)]
pub struct ManagedIdentity {
    /// Its client (application) id.
    pub client_id: String,
    /// Its object (principal) id.
    pub object_id: String,
    /// Its ARM resource id (user-assigned identities).
    pub resource_id: String,
    /// The tenant it lives in.
    pub tenant: String,
    /// The machine's system-assigned identity (used when a request names none).
    pub system_assigned: bool,
}

/// An Azure subscription, as the fake ARM endpoint lists it.
#[derive(Clone, Debug)]
pub struct Subscription {
    /// The subscription id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// The tenant it belongs to.
    pub tenant: String,
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
    /// Managed identities of "this machine".
    pub managed_identities: Vec<ManagedIdentity>,
    /// Subscriptions listed by the fake ARM endpoint.
    pub subscriptions: Vec<Subscription>,
    /// The `ACTIONS_ID_TOKEN_REQUEST_TOKEN` the GitHub-like OIDC endpoint accepts.
    pub github_request_token: Option<String>,
    /// The `sub` of GitHub-like OIDC tokens.
    pub github_subject: String,
    /// The `SYSTEM_ACCESSTOKEN` the Azure DevOps-like OIDC endpoint accepts.
    pub devops_access_token: Option<String>,
    /// Azure DevOps service connections: (id, `sub` of their OIDC tokens).
    pub service_connections: Vec<(String, String)>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            tenants: vec!["tenant1".into()],
            clients: vec![],
            users: vec![],
            token_lifetime_secs: 3600,
            managed_identities: vec![],
            subscriptions: vec![],
            github_request_token: None,
            github_subject: "repo:contoso/app:environment:production".into(),
            devops_access_token: None,
            service_connections: vec![],
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

    /// Adds a managed identity.
    pub fn with_managed_identity(mut self, identity: ManagedIdentity) -> Self {
        self.managed_identities.push(identity);
        self
    }

    /// Adds a subscription.
    pub fn with_subscription(mut self, subscription: Subscription) -> Self {
        self.subscriptions.push(subscription);
        self
    }

    /// Adds a tenant.
    pub fn with_tenant(mut self, tenant: &str) -> Self {
        self.tenants.push(tenant.to_owned());
        self
    }
}
