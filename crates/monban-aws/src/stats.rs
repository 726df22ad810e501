//! Counting what monban asks of AWS: every HTTP request per operation (retries included) and
//! every throttling answer, seen by an SDK interceptor installed on every client, so the
//! numbers are what went over the wire rather than what the code meant to send.
//!
//! `monban plan --stats` prints a [`ReadStats`]; the call-count tests compare it with the
//! formula in [`crate::read`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde::{Deserialize, Serialize};

/// Calls and throttles of one read (or push), per `service:Operation`
/// (`organizations:ListAccountsForParent`, `sso-admin:ListAccountAssignments`, …): every
/// call made through the same [`crate::Clients`] between its start and its end (run reads
/// one at a time per `Clients` for exact numbers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadStats {
    /// HTTP requests sent, retries included.
    pub calls: BTreeMap<String, u64>,
    /// Requests AWS answered with a throttling error (HTTP 429, `ThrottlingException`,
    /// `TooManyRequestsException`, …); each was retried by the SDK.
    pub throttles: BTreeMap<String, u64>,
    /// Time spent waiting on monban's own rate limiter, summed over concurrent tasks (so it
    /// can exceed `elapsed`).
    pub rate_limit_wait: Duration,
    /// Wall time of the whole read.
    pub elapsed: Duration,
}

impl ReadStats {
    /// All HTTP requests.
    #[must_use]
    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }

    /// All throttling answers.
    #[must_use]
    pub fn total_throttles(&self) -> u64 {
        self.throttles.values().sum()
    }

    /// Calls of one operation (`service:Operation`), 0 when none.
    #[must_use]
    pub fn calls_of(&self, key: &str) -> u64 {
        self.calls.get(key).copied().unwrap_or(0)
    }

    /// Adds `other`'s counts to these (the elapsed times add too: sequential phases).
    pub fn absorb(&mut self, other: &ReadStats) {
        for (key, count) in &other.calls {
            *self.calls.entry(key.clone()).or_default() += count;
        }
        for (key, count) in &other.throttles {
            *self.throttles.entry(key.clone()).or_default() += count;
        }
        self.rate_limit_wait += other.rate_limit_wait;
        self.elapsed += other.elapsed;
    }
}

#[derive(Debug, Default, Clone)]
struct Counts {
    calls: BTreeMap<String, u64>,
    throttles: BTreeMap<String, u64>,
    rate_limit_wait: Duration,
}

/// The shared tally every client's interceptor writes into.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallCounter {
    counts: Arc<Mutex<Counts>>,
}

/// A point in the tally; [`CallCounter::since`] gives what happened after it.
#[derive(Debug, Clone)]
pub(crate) struct CounterMark(Counts);

impl CallCounter {
    fn with<T>(&self, work: impl FnOnce(&mut Counts) -> T) -> T {
        // A panic while holding this lock leaves plain counters behind: still usable.
        work(&mut self.counts.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub(crate) fn mark(&self) -> CounterMark {
        CounterMark(self.with(|counts| counts.clone()))
    }

    pub(crate) fn add_wait(&self, waited: Duration) {
        if !waited.is_zero() {
            self.with(|counts| counts.rate_limit_wait += waited);
        }
    }

    /// What was counted after `mark`, with `elapsed` as the wall time.
    pub(crate) fn since(&self, mark: &CounterMark, elapsed: Duration) -> ReadStats {
        let now = self.with(|counts| counts.clone());
        let delta = |after: &BTreeMap<String, u64>, before: &BTreeMap<String, u64>| {
            after
                .iter()
                .filter_map(|(key, count)| {
                    let difference = count - before.get(key).copied().unwrap_or(0);
                    (difference > 0).then(|| (key.clone(), difference))
                })
                .collect()
        };
        ReadStats {
            calls: delta(&now.calls, &mark.0.calls),
            throttles: delta(&now.throttles, &mark.0.throttles),
            rate_limit_wait: now.rate_limit_wait.saturating_sub(mark.0.rate_limit_wait),
            elapsed,
        }
    }

    pub(crate) fn interceptor(&self) -> CountingInterceptor {
        CountingInterceptor {
            counter: self.clone(),
        }
    }
}

/// Our short service names (botocore's directory names), from the SDK's service ids.
pub(crate) fn service_label(service_id: &str) -> &str {
    match service_id {
        "Organizations" => "organizations",
        "SSO Admin" => "sso-admin",
        "identitystore" => "identitystore",
        "STS" => "sts",
        other => other,
    }
}

fn key(cfg: &ConfigBag) -> String {
    match cfg.load::<Metadata>() {
        Some(metadata) => format!("{}:{}", service_label(metadata.service()), metadata.name()),
        None => "unknown:unknown".to_owned(),
    }
}

/// The error codes AWS uses for throttling (the SDKs' own list, aws-api-facts §1.3).
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
    "RequestThrottled",
];

/// The error code of an awsJson error response: header `x-amzn-ErrorType` first (as the Rust
/// SDK reads it), else the body's `__type`; stripped of a `namespace#` prefix and a `:uri`
/// suffix.
fn error_code(headers_value: Option<&str>, body: Option<&[u8]>) -> Option<String> {
    let raw = if let Some(value) = headers_value {
        value.to_owned()
    } else {
        let document: serde_json::Value = serde_json::from_slice(body?).ok()?;
        document.get("__type")?.as_str()?.to_owned()
    };
    let without_suffix = raw.split(':').next().unwrap_or_default();
    Some(
        without_suffix
            .rsplit('#')
            .next()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Whether AWS answered the attempt with a throttling error (HTTP 429, or one of the
/// throttling codes).
pub(crate) fn is_throttled(context: &AfterDeserializationInterceptorContextRef<'_>) -> bool {
    let response = context.response();
    let status = response.status().as_u16();
    if status < 400 {
        return false;
    }
    let code = error_code(
        response.headers().get("x-amzn-errortype"),
        response.body().bytes(),
    );
    status == 429 || code.is_some_and(|code| THROTTLING_CODES.contains(&code.as_str()))
}

/// Counts each attempt before it is sent, and each throttled answer after it is read.
#[derive(Debug, Clone)]
pub(crate) struct CountingInterceptor {
    counter: CallCounter,
}

impl Intercept for CountingInterceptor {
    fn name(&self) -> &'static str {
        "monban-call-counter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let key = key(cfg);
        self.counter
            .with(|counts| *counts.calls.entry(key).or_default() += 1);
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if is_throttled(context) {
            let key = key(cfg);
            self.counter
                .with(|counts| *counts.throttles.entry(key).or_default() += 1);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A one-connection HTTP/1.1 server answering each request with the next canned
    /// `(status, error type, body)`; returns its URL.
    async fn canned_server(responses: Vec<(u16, Option<&'static str>, &'static str)>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let mut responses = responses.into_iter();
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut buffer = Vec::new();
                'requests: loop {
                    // Read one request: headers, then Content-Length bytes of body.
                    let mut chunk = [0_u8; 4096];
                    let header_end = loop {
                        if let Some(end) =
                            buffer.windows(4).position(|window| window == b"\r\n\r\n")
                        {
                            break end + 4;
                        }
                        let read = socket.read(&mut chunk).await.unwrap();
                        if read == 0 {
                            // The client closed this connection; it may open another.
                            break 'requests;
                        }
                        buffer.extend_from_slice(&chunk[..read]);
                    };
                    let headers = String::from_utf8_lossy(&buffer[..header_end]).to_lowercase();
                    let length: usize = headers
                        .lines()
                        .find_map(|line| line.strip_prefix("content-length:"))
                        .map_or(0, |value| value.trim().parse().unwrap());
                    while buffer.len() < header_end + length {
                        let read = socket.read(&mut chunk).await.unwrap();
                        buffer.extend_from_slice(&chunk[..read]);
                    }
                    buffer.drain(..header_end + length);
                    let Some((status, error_type, body)) = responses.next() else {
                        return;
                    };
                    let error_header = error_type
                        .map(|name| format!("x-amzn-ErrorType: {name}\r\n"))
                        .unwrap_or_default();
                    let response = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/x-amz-json-1.1\r\n{error_header}content-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    socket.write_all(response.as_bytes()).await.unwrap();
                }
            }
        });
        url
    }

    #[tokio::test]
    async fn retries_and_throttles_are_counted_per_operation() {
        let url = canned_server(vec![
            (400, Some("ThrottlingException"), r#"{"Message":"Rate exceeded"}"#),
            (
                400,
                None,
                r#"{"__type":"com.amazonaws.swbexternalservice#ThrottlingException","Message":"Rate exceeded"}"#,
            ),
            (200, None, r#"{"Instances":[]}"#),
            (400, Some("AccessDeniedException"), r#"{"Message":"no"}"#),
        ])
        .await;
        let counter = CallCounter::default();
        let client = aws_sdk_ssoadmin::Client::from_conf(
            aws_sdk_ssoadmin::Config::builder()
                .behavior_version_latest()
                .region(aws_sdk_ssoadmin::config::Region::new("us-east-1"))
                .endpoint_url(url)
                .credentials_provider(aws_credential_types::Credentials::new(
                    "AKIDEXAMPLE",
                    "secret",
                    None,
                    None,
                    "test",
                ))
                .retry_config(
                    aws_sdk_ssoadmin::config::retry::RetryConfig::standard()
                        .with_max_attempts(3)
                        .with_initial_backoff(Duration::from_millis(1)),
                )
                .interceptor(counter.interceptor())
                .build(),
        );
        let mark = counter.mark();
        client.list_instances().send().await.unwrap();
        client
            .list_permission_sets()
            .instance_arn("arn")
            .send()
            .await
            .unwrap_err();
        let stats = counter.since(&mark, Duration::ZERO);
        assert_eq!(stats.calls_of("sso-admin:ListInstances"), 3);
        assert_eq!(stats.throttles.get("sso-admin:ListInstances"), Some(&2));
        assert_eq!(stats.calls_of("sso-admin:ListPermissionSets"), 1);
        assert_eq!(
            stats.total_throttles(),
            2,
            "access denied is not a throttle"
        );
    }

    #[test]
    fn error_codes_are_read_from_header_then_body() {
        assert_eq!(
            error_code(
                Some("ThrottlingException:http://internal.amazon.com/coral/x/"),
                None
            )
            .as_deref(),
            Some("ThrottlingException")
        );
        assert_eq!(
            error_code(
                None,
                Some(br#"{"__type":"com.amazonaws.swbexternalservice#ThrottlingException"}"#)
            )
            .as_deref(),
            Some("ThrottlingException")
        );
        assert_eq!(error_code(None, Some(b"not json")), None);
    }

    #[test]
    fn since_reports_only_the_difference() {
        let counter = CallCounter::default();
        counter.with(|counts| {
            counts.calls.insert("organizations:ListRoots".into(), 2);
        });
        let mark = counter.mark();
        counter.with(|counts| {
            *counts
                .calls
                .entry("organizations:ListRoots".into())
                .or_default() += 3;
            counts.calls.insert("identitystore:ListUsers".into(), 1);
        });
        let stats = counter.since(&mark, Duration::from_secs(1));
        assert_eq!(stats.calls_of("organizations:ListRoots"), 3);
        assert_eq!(stats.calls_of("identitystore:ListUsers"), 1);
        assert_eq!(stats.total_calls(), 4);
    }
}
