//! Azure Resource Manager, as far as AKS needs it: bearer-token calls over https only, no
//! redirect followed, answers bounded (1 MiB) and parsed as JSON, `429`/`503` retried after
//! `Retry-After` while the `--timeout` budget lasts, `nextLink` pages followed only on the same
//! origin (the token never goes anywhere else), and ARM's error body turned into one
//! [`ArmError`] naming what is wrong and the fix ([`aks`] adds what each call was about).

pub(crate) mod aks;

use std::time::{Duration, Instant};

use kubectl_aad_contract::TokenRequest;
use kubectl_aad_entra::http;
use kubectl_aad_entra::text::one_line;
use serde_json::Value;

/// The most pages of one listing followed (100 clusters a page: 100,000 clusters).
const MAX_PAGES: usize = 1000;

/// How long a throttled call waits when ARM names no `Retry-After`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(5);

/// Why a Resource Manager call failed, in words for one line.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ArmError {
    /// The principal lacks the role for the action.
    #[error(
        "Azure refused {action} on {scope} (AuthorizationFailed): the signed-in identity needs the {role} on the cluster; ask an owner to run `az role assignment create --role \"{role}\" --assignee <your object id> --scope {scope}`, then retry"
    )]
    AuthorizationFailed {
        /// What was asked.
        action: String,
        /// On what.
        scope: String,
        /// The built-in role that grants it.
        role: &'static str,
    },
    /// The subscription is not visible.
    #[error(
        "subscription {0} was not found, or the signed-in identity cannot see it (SubscriptionNotFound); check --subscription (`kubectl aad clusters` lists the subscriptions you can see)"
    )]
    SubscriptionNotFound(String),
    /// The resource group does not exist.
    #[error(
        "resource group {group} was not found in subscription {subscription} (ResourceGroupNotFound); check --resource-group"
    )]
    ResourceGroupNotFound {
        /// The subscription.
        subscription: String,
        /// The group.
        group: String,
    },
    /// No such cluster.
    #[error(
        "AKS cluster {name} was not found in resource group {group} (ResourceNotFound); check --name and --resource-group (`kubectl aad clusters --subscription {subscription}` lists the clusters)"
    )]
    ClusterNotFound {
        /// The subscription.
        subscription: String,
        /// The group.
        group: String,
        /// The cluster.
        name: String,
    },
    /// `--admin` on a cluster without local accounts.
    #[error(
        "AKS cluster {0} has local accounts disabled, so it has no admin credential; drop --admin and sign in with Entra ID (the Cluster User role and Kubernetes RBAC or Azure RBAC)"
    )]
    LocalAccountsDisabled(String),
    /// Throttled past the budget.
    #[error(
        "Azure Resource Manager kept answering 429 (too many requests) until --timeout ({0}s) ran out; wait a minute and retry, or raise --timeout"
    )]
    Throttled(u64),
    /// Any other answer ARM gave.
    #[error("Azure Resource Manager answered HTTP {status} {code}: {message}")]
    Other {
        /// The HTTP status.
        status: u16,
        /// ARM's error code.
        code: String,
        /// ARM's message, on one line.
        message: String,
    },
    /// An answer that is not what ARM sends.
    #[error("Azure Resource Manager at {endpoint} answered {what}; check --arm-endpoint")]
    BadAnswer {
        /// The endpoint's origin.
        endpoint: String,
        /// What came instead.
        what: String,
    },
    /// The request could not be made (network, TLS, redirect, oversized answer).
    #[error("{0}")]
    Transport(String),
}

/// An ARM error answer, before [`aks`] says what it means for the call.
#[derive(Debug)]
pub(crate) struct Refusal {
    /// The HTTP status.
    pub(crate) status: u16,
    /// ARM's error code (`AuthorizationFailed`, `ResourceNotFound` …).
    pub(crate) code: String,
    /// ARM's message, on one line.
    pub(crate) message: String,
}

impl From<Refusal> for ArmError {
    fn from(refusal: Refusal) -> ArmError {
        ArmError::Other {
            status: refusal.status,
            code: refusal.code,
            message: refusal.message,
        }
    }
}

/// A call's outcome: the JSON answer, an ARM refusal to classify, or a failure already worded.
pub(crate) enum Outcome {
    /// 2xx with a JSON body.
    Answer(Value),
    /// ARM's error answer.
    Refused(Refusal),
}

/// A Resource Manager endpoint with a bearer token.
pub(crate) struct Arm {
    endpoint: String,
    token: String,
    client: reqwest::blocking::Client,
    timeout: Duration,
}

impl Arm {
    /// `endpoint` (https, no trailing slash) with `token`; the HTTP client honours the
    /// request's timeout and extra CA files, as the sign-in did.
    pub(crate) fn new(
        endpoint: &str,
        token: String,
        request: &TokenRequest,
    ) -> Result<Arm, ArmError> {
        http::require_https(endpoint, "--arm-endpoint")
            .map_err(|err| ArmError::Transport(err.to_string()))?;
        let client = kubectl_aad_entra::http_client(request)
            .map_err(|err| ArmError::Transport(err.to_string()))?;
        Ok(Arm {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            token,
            client,
            timeout: Duration::from_secs(request.timeout_secs.max(1)),
        })
    }

    /// `POST {endpoint}{path}` (an action such as listClusterUserCredential).
    pub(crate) fn post(&self, path: &str) -> Result<Outcome, ArmError> {
        self.call(reqwest::Method::POST, &format!("{}{path}", self.endpoint))
    }

    /// `GET` of a listing and every `nextLink` page after it: all the `value` items.
    pub(crate) fn list(&self, path: &str) -> Result<Result<Vec<Value>, Refusal>, ArmError> {
        let mut url = format!("{}{path}", self.endpoint);
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = match self.call(reqwest::Method::GET, &url)? {
                Outcome::Answer(page) => page,
                Outcome::Refused(refusal) => return Ok(Err(refusal)),
            };
            let Some(values) = page.get("value").and_then(Value::as_array) else {
                return Err(self.bad_answer("a listing without a value array"));
            };
            items.extend(values.iter().cloned());
            match page.get("nextLink").and_then(Value::as_str) {
                Some(next) if !next.is_empty() => url = self.same_origin(next)?,
                _ => return Ok(Ok(items)),
            }
        }
        Err(self.bad_answer(&format!("more than {MAX_PAGES} pages")))
    }

    /// A `nextLink` on our endpoint's origin; anything else would receive our token.
    fn same_origin(&self, next: &str) -> Result<String, ArmError> {
        let origin = |url: &str| {
            url::Url::parse(url).ok().map(|u| {
                (
                    u.scheme().to_owned(),
                    u.host_str().map(str::to_owned),
                    u.port_or_known_default(),
                )
            })
        };
        match (origin(next), origin(&self.endpoint)) {
            (Some(a), Some(b)) if a == b => Ok(next.to_owned()),
            _ => Err(self.bad_answer(&format!("a nextLink to {}", http::host_of(next)))),
        }
    }

    fn bad_answer(&self, what: &str) -> ArmError {
        ArmError::BadAnswer {
            endpoint: http::host_of(&self.endpoint),
            what: what.to_owned(),
        }
    }

    /// One call, retried after `Retry-After` on 429 and 503 while the timeout budget lasts.
    fn call(&self, method: reqwest::Method, url: &str) -> Result<Outcome, ArmError> {
        let deadline = Instant::now() + self.timeout;
        let endpoint = http::host_of(url);
        loop {
            let request = self
                .client
                .request(method.clone(), url)
                .bearer_auth(&self.token)
                .header(reqwest::header::ACCEPT, "application/json")
                .header(reqwest::header::CONTENT_LENGTH, "0");
            let answer = http::send(request, &endpoint)
                .map_err(|err| ArmError::Transport(err.to_string()))?;
            let status = answer.status.as_u16();
            if status == 429 || status == 503 {
                let wait = answer.retry_after.unwrap_or(DEFAULT_RETRY_AFTER);
                if Instant::now() + wait < deadline {
                    std::thread::sleep(wait);
                    continue;
                }
                if status == 429 {
                    return Err(ArmError::Throttled(self.timeout.as_secs()));
                }
            }
            let body: Option<Value> = serde_json::from_slice(&answer.body).ok();
            if answer.status.is_success() {
                return body.map(Outcome::Answer).ok_or_else(|| {
                    self.bad_answer(&format!("HTTP {status} with a body that is not JSON"))
                });
            }
            return Ok(Outcome::Refused(refusal(status, body.as_ref())));
        }
    }
}

/// ARM's error body: `{"error": {"code", "message"}}`, or the resource provider's own
/// `{"code", "message"}`.
pub(crate) fn refusal(status: u16, body: Option<&Value>) -> Refusal {
    let error = body.map(|b| b.get("error").unwrap_or(b));
    let text = |key: &str| {
        error
            .and_then(|e| e.get(key))
            .and_then(Value::as_str)
            .map(|t| one_line(t, 400))
            .unwrap_or_default()
    };
    let code = match text("code") {
        code if code.is_empty() => "(no error code)".to_owned(),
        code => code,
    };
    Refusal {
        status,
        code,
        message: match text("message") {
            message if message.is_empty() => "(no message)".to_owned(),
            message => message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_error_shapes_and_junk_become_a_refusal() {
        let arm = serde_json::json!({"error": {"code": "AuthorizationFailed", "message": "no\u{1b}[31m way\nat all"}});
        let r = refusal(403, Some(&arm));
        assert_eq!((r.code.as_str(), r.status), ("AuthorizationFailed", 403));
        assert!(
            !r.message.contains('\u{1b}') && !r.message.contains('\n'),
            "{}",
            r.message
        );
        let rp = serde_json::json!({"code": "BadRequest", "message": "Getting static credential is not allowed"});
        assert_eq!(refusal(400, Some(&rp)).code, "BadRequest");
        let junk = refusal(500, None);
        assert_eq!(
            (junk.code.as_str(), junk.message.as_str()),
            ("(no error code)", "(no message)")
        );
    }
}
