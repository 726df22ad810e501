//! The SSO access portal (`aws-sdk-sso`, bearer token, aws-api-facts §2.5): role
//! credentials, the accounts and roles a person holds, and sign-out. A token the portal
//! refuses is refreshed once and the call retried; a role the person does not hold is
//! reported with the roles they do hold on that account.

use std::path::Path;

use jiff::Timestamp;

use super::cache::CachedToken;
use super::config::SsoSession;
use super::credentials::RoleCredentials;
use super::{SsoClients, SsoError, oidc};

/// An account the person can reach (`AccountInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalAccount {
    pub account_id: String,
    pub account_name: Option<String>,
    pub email_address: Option<String>,
}

/// `GetRoleCredentials` for (account, permission set) with the session's token, refreshing
/// the token first if it expired, and once more if the portal refuses it.
pub async fn role_credentials(
    clients: &SsoClients,
    cache_dir: &Path,
    session: &SsoSession,
    account_id: &str,
    role_name: &str,
) -> Result<RoleCredentials, SsoError> {
    use aws_sdk_sso::operation::get_role_credentials::GetRoleCredentialsError;
    let mut token = oidc::access_token(clients, cache_dir, session).await?;
    let mut refreshed = false;
    loop {
        let result = clients
            .portal
            .get_role_credentials()
            .account_id(account_id)
            .role_name(role_name)
            .access_token(&token.access_token)
            .send()
            .await;
        let error = match result {
            Ok(output) => return convert(output.role_credentials, account_id),
            Err(error) => error,
        };
        match error.as_service_error() {
            Some(GetRoleCredentialsError::UnauthorizedException(_)) if !refreshed => {
                // Revoked or expired early (a sign-out elsewhere, a deactivated user): a
                // refresh either fixes it or says why not.
                token = oidc::refresh(clients, cache_dir, session, &token)
                    .await
                    .map_err(|error| match error {
                        SsoError::SessionExpired { session, reason } => SsoError::SessionExpired {
                            session,
                            reason: format!("the portal refused the token, and {reason}"),
                        },
                        other => other,
                    })?;
                refreshed = true;
            }
            Some(GetRoleCredentialsError::UnauthorizedException(unauthorized)) => {
                return Err(SsoError::SessionExpired {
                    session: session.name.clone(),
                    reason: format!(
                        "the portal refused even a refreshed token: {}",
                        unauthorized.message().unwrap_or("unauthorized")
                    ),
                });
            }
            Some(GetRoleCredentialsError::TooManyRequestsException(_)) => {
                return Err(SsoError::call("sso", "GetRoleCredentials", error));
            }
            // Not found, forbidden (AWS answers an un-modelled ForbiddenException for a role
            // not held), invalid: say which roles the person does hold there.
            Some(_) => {
                let Ok(roles) = account_roles(clients, &token, account_id).await else {
                    return Err(SsoError::call("sso", "GetRoleCredentials", error));
                };
                if roles.iter().any(|role| role == role_name) {
                    return Err(SsoError::call("sso", "GetRoleCredentials", error));
                }
                return Err(SsoError::RoleNotHeld {
                    account_id: account_id.to_owned(),
                    role: role_name.to_owned(),
                    roles,
                });
            }
            // Not an answer of the portal (unreachable, timed out): say so as it is.
            None => return Err(SsoError::call("sso", "GetRoleCredentials", error)),
        }
    }
}

fn convert(
    credentials: Option<aws_sdk_sso::types::RoleCredentials>,
    account_id: &str,
) -> Result<RoleCredentials, SsoError> {
    let missing = |field| SsoError::MissingField {
        service: "sso",
        operation: "GetRoleCredentials",
        field,
    };
    let credentials = credentials.ok_or_else(|| missing("roleCredentials"))?;
    Ok(RoleCredentials {
        access_key_id: credentials
            .access_key_id
            .ok_or_else(|| missing("accessKeyId"))?,
        secret_access_key: credentials
            .secret_access_key
            .ok_or_else(|| missing("secretAccessKey"))?,
        session_token: credentials
            .session_token
            .ok_or_else(|| missing("sessionToken"))?,
        // Epoch milliseconds (aws-api-facts §1.4).
        expiration: Timestamp::from_millisecond(credentials.expiration)
            .map_err(|_| missing("expiration"))?,
        account_id: account_id.to_owned(),
    })
}

/// The permission sets the person holds on `account_id` (`ListAccountRoles`, every page),
/// sorted.
pub async fn account_roles(
    clients: &SsoClients,
    token: &CachedToken,
    account_id: &str,
) -> Result<Vec<String>, SsoError> {
    let mut roles = Vec::new();
    let mut next_token: Option<String> = None;
    loop {
        let page = clients
            .portal
            .list_account_roles()
            .access_token(&token.access_token)
            .account_id(account_id)
            .max_results(100)
            .set_next_token(next_token.clone())
            .send()
            .await
            .map_err(|error| SsoError::call("sso", "ListAccountRoles", error))?;
        roles.extend(
            page.role_list
                .unwrap_or_default()
                .into_iter()
                .filter_map(|role| role.role_name),
        );
        match page.next_token.filter(|token| !token.is_empty()) {
            Some(token) if Some(&token) != next_token.as_ref() => next_token = Some(token),
            _ => break,
        }
    }
    roles.sort();
    roles.dedup();
    Ok(roles)
}

/// Every account the person can reach (`ListAccounts`, every page), sorted by id.
pub async fn accounts(
    clients: &SsoClients,
    token: &CachedToken,
) -> Result<Vec<PortalAccount>, SsoError> {
    let mut accounts = Vec::new();
    let mut next_token: Option<String> = None;
    loop {
        let page = clients
            .portal
            .list_accounts()
            .access_token(&token.access_token)
            .max_results(100)
            .set_next_token(next_token.clone())
            .send()
            .await
            .map_err(|error| SsoError::call("sso", "ListAccounts", error))?;
        accounts.extend(
            page.account_list
                .unwrap_or_default()
                .into_iter()
                .filter_map(|account| {
                    Some(PortalAccount {
                        account_id: account.account_id?,
                        account_name: account.account_name,
                        email_address: account.email_address,
                    })
                }),
        );
        match page.next_token.filter(|token| !token.is_empty()) {
            Some(token) if Some(&token) != next_token.as_ref() => next_token = Some(token),
            _ => break,
        }
    }
    accounts.sort_by(|left, right| left.account_id.cmp(&right.account_id));
    Ok(accounts)
}

/// `Logout`: the portal revokes the token (and the role keys it issued stop being
/// renewable). An already-invalid token is not an error.
pub async fn logout(clients: &SsoClients, token: &CachedToken) -> Result<(), SsoError> {
    use aws_sdk_sso::operation::logout::LogoutError;
    match clients
        .portal
        .logout()
        .access_token(&token.access_token)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(error)
            if matches!(
                error.as_service_error(),
                Some(LogoutError::UnauthorizedException(_))
            ) =>
        {
            Ok(())
        }
        Err(error) => Err(SsoError::call("sso", "Logout", error)),
    }
}

/// AWS's sign-in federation endpoint (console sign-in with temporary keys).
pub const FEDERATION_URL: &str = "https://signin.aws.amazon.com/federation";

/// Where the console sign-in lands.
pub const CONSOLE_DESTINATION: &str = "https://console.aws.amazon.com/";

/// The federation endpoint: AWS's, or `<portal endpoint override>/federation` when the
/// portal is overridden (a sandbox serves its stand-in there; there is no standard
/// override variable for the sign-in endpoint).
#[must_use]
pub fn federation_endpoint(clients: &SsoClients) -> String {
    clients.portal_endpoint().map_or_else(
        || FEDERATION_URL.to_owned(),
        |endpoint| format!("{}/federation", endpoint.trim_end_matches('/')),
    )
}

/// A console sign-in URL for role keys: `getSigninToken` on the federation endpoint, then
/// the `Action=login` URL carrying that token (valid 15 minutes, single use).
pub async fn console_url(
    clients: &SsoClients,
    credentials: &RoleCredentials,
) -> Result<String, SsoError> {
    let federation = federation_endpoint(clients);
    let failed = |detail: String| SsoError::Federation {
        endpoint: federation.clone(),
        detail,
    };
    let session = serde_json::json!({
        "sessionId": credentials.access_key_id,
        "sessionKey": credentials.secret_access_key,
        "sessionToken": credentials.session_token,
    })
    .to_string();
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "getSigninToken")
        .append_pair("Session", &session)
        .finish();
    // reqwest needs a process-wide TLS provider: the aws-lc-rs one the SDK uses. Installing
    // fails only when one is installed already, which is as good.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|error| failed(error.without_url().to_string()))?;
    // Errors never carry the URL: its query holds the secret key.
    let response = client
        .get(format!("{federation}?{query}"))
        .send()
        .await
        .map_err(|error| failed(error.without_url().to_string()))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|error| failed(error.without_url().to_string()))?;
    if !status.is_success() {
        return Err(failed(format!("HTTP {status}")));
    }
    let token = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|json| json.get("SigninToken")?.as_str().map(str::to_owned))
        .ok_or_else(|| failed("the answer has no SigninToken".to_owned()))?;
    let login = form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "login")
        .append_pair("Issuer", "monban")
        .append_pair("Destination", CONSOLE_DESTINATION)
        .append_pair("SigninToken", &token)
        .finish();
    Ok(format!("{federation}?{login}"))
}
