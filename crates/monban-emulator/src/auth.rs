//! Who is calling: SigV4 verification and the credential store.
//!
//! `aws-sigv4` has no verifier, so a request is verified by re-signing it (crates.md §4): parse
//! the `Authorization` header, look the access key up in the World's [`CredentialStore`],
//! rebuild the request from the headers the client says it signed, sign it with the stored
//! secret, the client's `X-Amz-Date`, region and service, and compare signatures in constant
//! time. Any region is accepted in the credential scope: SDKs sign with the client's region
//! when the endpoint is overridden (aws-api-facts §1.1). The service in the scope must be the
//! one the target belongs to (`organizations`, `sso`, `identitystore`).

use std::collections::BTreeMap;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4::SigningParams;
use aws_smithy_runtime_api::client::identity::Identity;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::protocol::error::ProtocolError;

/// How far a request's `X-Amz-Date` may be from the real clock (AWS allows 15 minutes).
const MAX_CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(15);

/// One access key the sandbox recognizes, and whom it authenticates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRecord {
    /// The access key id (`AKIA…` long-term, `ASIA…` temporary).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token temporary keys must present (`X-Amz-Security-Token`); `None` for
    /// long-term keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_token: Option<String>,
    /// When a temporary key stops working; `None` for long-term keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// The 12-digit account the key belongs to.
    pub account_id: String,
    /// The principal's ARN, e.g. `arn:aws:iam::111111111111:root`.
    pub principal_arn: String,
}

/// Every access key the sandbox recognizes, keyed by access key id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialStore {
    keys: BTreeMap<String, CredentialRecord>,
}

impl CredentialStore {
    /// Adds or replaces a key.
    pub fn insert(&mut self, record: CredentialRecord) {
        self.keys.insert(record.access_key_id.clone(), record);
    }

    /// Removes a key (a deleted IAM access key stops authenticating).
    pub fn remove(&mut self, access_key_id: &str) -> Option<CredentialRecord> {
        self.keys.remove(access_key_id)
    }

    /// Looks a key up.
    #[must_use]
    pub fn get(&self, access_key_id: &str) -> Option<&CredentialRecord> {
        self.keys.get(access_key_id)
    }

    /// Every key, by access key id.
    pub fn iter(&self) -> impl Iterator<Item = &CredentialRecord> {
        self.keys.values()
    }
}

/// The authenticated caller of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The access key id the request was signed with.
    pub access_key_id: String,
    /// The caller's account.
    pub account_id: String,
    /// The caller's principal ARN.
    pub principal_arn: String,
    /// The region named in the credential scope.
    pub signing_region: String,
}

/// The parsed `Authorization: AWS4-HMAC-SHA256 …` header.
struct AuthorizationHeader<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn incomplete(message: impl Into<String>) -> ProtocolError {
    ProtocolError::IncompleteSignatureException {
        message: message.into(),
    }
}

fn invalid_signature(message: impl Into<String>) -> ProtocolError {
    ProtocolError::InvalidSignatureException {
        message: message.into(),
    }
}

fn unrecognized() -> ProtocolError {
    ProtocolError::UnrecognizedClientException {
        message: "The security token included in the request is invalid.".into(),
    }
}

fn parse_authorization(value: &str) -> Result<AuthorizationHeader<'_>, ProtocolError> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ").ok_or_else(|| {
        incomplete(format!(
            "Authorization header requires the AWS4-HMAC-SHA256 algorithm; got '{value}'."
        ))
    })?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed_headers = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(incomplete(
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.",
        ));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = scope[..] else {
        return Err(incomplete(format!(
            "Credential should be scoped to a valid region, service and date: '{credential}'."
        )));
    };
    if terminator != "aws4_request" {
        return Err(incomplete(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        )));
    }
    Ok(AuthorizationHeader {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed_headers.split(';').collect(),
        signature,
    })
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn parse_amz_date(value: &str) -> Option<Timestamp> {
    let civil = jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", value).ok()?;
    jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()
}

/// Verifies the SigV4 signature of a request for `signing_name` and returns its caller.
///
/// `real_now` is the machine's clock, not the sandbox clock: SDKs sign with real time, and a
/// test that advances the sandbox clock by a day must still be able to call. Temporary keys
/// expire on the sandbox clock (`sandbox_now`), the clock their `Expiration` was computed
/// on, so advancing it past the expiration makes them `ExpiredToken`.
pub fn authenticate(
    parts: &Parts,
    body: &[u8],
    signing_name: &str,
    credentials: &CredentialStore,
    real_now: Timestamp,
    sandbox_now: Timestamp,
) -> Result<Caller, ProtocolError> {
    let Some(authorization) = header(&parts.headers, "authorization") else {
        return Err(ProtocolError::MissingAuthenticationTokenException {
            message: "Missing Authentication Token".into(),
        });
    };
    let auth = parse_authorization(authorization)?;
    if auth.service != signing_name {
        return Err(invalid_signature(format!(
            "Credential should be scoped to correct service: '{signing_name}'."
        )));
    }
    let amz_date = header(&parts.headers, "x-amz-date").ok_or_else(|| {
        incomplete("Authorization header requires existence of an X-Amz-Date header.")
    })?;
    let signed_at = parse_amz_date(amz_date)
        .ok_or_else(|| incomplete(format!("X-Amz-Date '{amz_date}' is not a valid date.")))?;
    if !amz_date.starts_with(auth.date) {
        return Err(invalid_signature(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{amz_date}'.",
            auth.date
        )));
    }
    if (real_now.duration_since(signed_at)).abs() > MAX_CLOCK_SKEW {
        return Err(invalid_signature(format!(
            "Signature expired: {amz_date} is now earlier or later than the server time {real_now} by more than 15 minutes."
        )));
    }
    let record = credentials
        .get(auth.access_key_id)
        .ok_or_else(unrecognized)?;
    let presented_token = header(&parts.headers, "x-amz-security-token");
    if presented_token != record.session_token.as_deref() {
        return Err(unrecognized());
    }
    if record
        .expires_at
        .is_some_and(|expiry| expiry <= real_now.max(sandbox_now))
    {
        return Err(ProtocolError::ExpiredTokenException {
            message: "The security token included in the request is expired".into(),
        });
    }

    let expected = expected_signature(parts, body, &auth, record, signed_at)?;
    if !constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        return Err(invalid_signature(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    Ok(Caller {
        access_key_id: record.access_key_id.clone(),
        account_id: record.account_id.clone(),
        principal_arn: record.principal_arn.clone(),
        signing_region: auth.region.to_owned(),
    })
}

/// Re-signs the request the way the client must have, and returns the hex signature.
fn expected_signature(
    parts: &Parts,
    body: &[u8],
    auth: &AuthorizationHeader<'_>,
    record: &CredentialRecord,
    signed_at: Timestamp,
) -> Result<String, ProtocolError> {
    // The signer adds `x-amz-date` and `x-amz-security-token` itself; give it every other
    // header the client signed, and only those.
    let mut headers = Vec::new();
    for name in &auth.signed_headers {
        if *name == "x-amz-date" || *name == "x-amz-security-token" {
            continue;
        }
        for value in parts.headers.get_all(*name) {
            let value = value
                .to_str()
                .map_err(|_| invalid_signature(format!("Signed header '{name}' is not ASCII.")))?;
            headers.push((*name, value));
        }
    }
    let host = header(&parts.headers, "host").unwrap_or("localhost");
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", axum::http::uri::PathAndQuery::as_str);
    let uri = format!("http://{host}{path_and_query}");
    let request = SignableRequest::new(
        parts.method.as_str(),
        uri,
        headers.into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|error| invalid_signature(format!("The request cannot be re-signed: {error}")))?;

    let mut settings = SigningSettings::default();
    // Sign exactly what the client listed in SignedHeaders (botocore signs headers the Rust
    // SDK would exclude, e.g. User-Agent is never signed by either, but others may be).
    settings.excluded_headers = None;
    let identity: Identity = Credentials::new(
        record.access_key_id.clone(),
        record.secret_access_key.clone(),
        record.session_token.clone(),
        None,
        "monban-emulator",
    )
    .into();
    let signed_at = SystemTime::try_from(signed_at)
        .map_err(|error| invalid_signature(format!("X-Amz-Date is out of range: {error}")))?;
    let params = SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(signed_at)
        .settings(settings)
        .build()
        .map_err(|error| invalid_signature(format!("The request cannot be re-signed: {error}")))?
        .into();
    let output = sign(request, &params)
        .map_err(|error| invalid_signature(format!("The request cannot be re-signed: {error}")))?;
    Ok(output.signature().to_owned())
}

fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len()
        && left
            .iter()
            .zip(right)
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_well_formed_authorization_header() {
        let header = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20261129/eu-west-1/sso/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, Signature=abcd",
        )
        .unwrap();
        assert_eq!(header.access_key_id, "AKID");
        assert_eq!(header.region, "eu-west-1");
        assert_eq!(header.service, "sso");
        assert_eq!(
            header.signed_headers,
            ["content-type", "host", "x-amz-date"]
        );
        assert_eq!(header.signature, "abcd");
    }

    #[test]
    fn rejects_a_header_without_a_signature() {
        let error = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20261129/eu-west-1/sso/aws4_request",
        )
        .err()
        .unwrap();
        assert!(matches!(
            error,
            ProtocolError::IncompleteSignatureException { .. }
        ));
    }

    /// A request signed by `aws-sigv4` as an SDK would, as axum hands it over.
    fn signed_parts(secret: &str, token: Option<&str>, service: &str, body: &str) -> Parts {
        let mut request = axum::http::Request::builder()
            .method("POST")
            .uri("http://127.0.0.1:4566/")
            .header("host", "127.0.0.1:4566")
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", "AWSIdentityStore.ListUsers")
            .body(())
            .unwrap();
        let identity: Identity = Credentials::new(
            "ASIATEMPORARY0000000",
            secret,
            token.map(str::to_owned),
            None,
            "test",
        )
        .into();
        let params = SigningParams::builder()
            .identity(&identity)
            .region("eu-west-1")
            .name(service)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect();
        let signable = SignableRequest::new(
            "POST",
            "http://127.0.0.1:4566/",
            headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
            SignableBody::Bytes(body.as_bytes()),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        instructions.apply_to_request_http1x(&mut request);
        request.into_parts().0
    }

    fn store(expires_at: Option<Timestamp>) -> CredentialStore {
        let mut store = CredentialStore::default();
        store.insert(CredentialRecord {
            access_key_id: "ASIATEMPORARY0000000".into(),
            secret_access_key: "secret".into(),
            session_token: Some("token".into()),
            expires_at,
            account_id: "222222222222".into(),
            principal_arn: "arn:aws:sts::222222222222:assumed-role/Dev/alice".into(),
        });
        store
    }

    #[test]
    fn verifies_temporary_keys_with_their_session_token() {
        let now = Timestamp::now();
        let parts = signed_parts("secret", Some("token"), "identitystore", "{}");
        let caller = authenticate(&parts, b"{}", "identitystore", &store(None), now, now).unwrap();
        assert_eq!(caller.account_id, "222222222222");
        assert_eq!(caller.signing_region, "eu-west-1");

        let tampered = authenticate(
            &parts,
            b"{\"x\":1}",
            "identitystore",
            &store(None),
            now,
            now,
        );
        assert!(matches!(
            tampered,
            Err(ProtocolError::InvalidSignatureException { .. })
        ));

        let wrong_service = authenticate(&parts, b"{}", "sso", &store(None), now, now);
        assert!(matches!(
            wrong_service,
            Err(ProtocolError::InvalidSignatureException { .. })
        ));

        let expired = store(Some(now - SignedDuration::from_mins(1)));
        assert!(matches!(
            authenticate(&parts, b"{}", "identitystore", &expired, now, now),
            Err(ProtocolError::ExpiredTokenException { .. })
        ));

        let late = now + SignedDuration::from_mins(16);
        assert!(matches!(
            authenticate(&parts, b"{}", "identitystore", &store(None), late, late),
            Err(ProtocolError::InvalidSignatureException { .. })
        ));

        let wrong_token = signed_parts("secret", Some("other"), "identitystore", "{}");
        assert!(matches!(
            authenticate(&wrong_token, b"{}", "identitystore", &store(None), now, now),
            Err(ProtocolError::UnrecognizedClientException { .. })
        ));
    }

    #[test]
    fn parses_amz_dates() {
        assert_eq!(
            parse_amz_date("20261129T055800Z").unwrap().to_string(),
            "2026-11-29T05:58:00Z"
        );
        assert!(parse_amz_date("2026-11-29").is_none());
    }
}
