//! Load generator of `scripts/bench/throughput.sh`: sends one fixed request mix across
//! Organizations, Identity Store and SSO Admin (reads and writes), SigV4-signed awsJson 1.1
//! over raw HTTP/1.1 keep-alive connections, from N concurrent workers for a fixed time, to
//! one AWS-compatible endpoint (monban's sandbox or `moto_server`), and prints one JSON line:
//! requests, errors, requests per second, latency percentiles, counts per operation.
//!
//! Usage: `monban-throughput ENDPOINT SEED_JSON WORKERS SECONDS [WARMUP_SECONDS]`.
//! `SEED_JSON` is what `scripts/bench/throughput_seed.py` wrote for that endpoint (ids of the
//! instance, identity store, accounts, users and permission sets seeded the same way on both
//! servers). Every request is signed as it is sent (a server that checks signatures does its
//! full work). Any answer other than HTTP 200 counts as an error and is sampled in the output.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4::SigningParams;
use aws_smithy_runtime_api::client::identity::Identity;
use serde_json::{Value, json};

const ACCESS_KEY_ID: &str = "AKIAMONBANSANDBOX000";
const SECRET_ACCESS_KEY: &str = "monban-sandbox-secret";
const REGION: &str = "us-east-1";
const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The mix, as (operation, weight) out of 20: 18 reads, 2 writes (10 %).
const MIX: [(Operation, u32); 10] = [
    (Operation::DescribeOrganization, 2),
    (Operation::ListAccounts, 2),
    (Operation::DescribeAccount, 2),
    (Operation::ListUsers, 2),
    (Operation::DescribeUser, 2),
    (Operation::CreateGroup, 1),
    (Operation::ListPermissionSets, 2),
    (Operation::DescribePermissionSet, 3),
    (Operation::ListAccountAssignments, 3),
    (Operation::CreateAccountAssignment, 1),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Operation {
    DescribeOrganization,
    ListAccounts,
    DescribeAccount,
    ListUsers,
    DescribeUser,
    CreateGroup,
    ListPermissionSets,
    DescribePermissionSet,
    ListAccountAssignments,
    CreateAccountAssignment,
}

impl Operation {
    /// (`SigV4` signing name, `X-Amz-Target`) of the operation.
    fn wire(self) -> (&'static str, String) {
        let (signing_name, prefix) = match self {
            Self::DescribeOrganization | Self::ListAccounts | Self::DescribeAccount => {
                ("organizations", "AWSOrganizationsV20161128")
            }
            Self::ListUsers | Self::DescribeUser | Self::CreateGroup => {
                ("identitystore", "AWSIdentityStore")
            }
            Self::ListPermissionSets
            | Self::DescribePermissionSet
            | Self::ListAccountAssignments
            | Self::CreateAccountAssignment => ("sso", "SWBExternalService"),
        };
        (signing_name, format!("{prefix}.{self:?}"))
    }
}

/// What the seed script created on one server.
struct Seed {
    instance_arn: String,
    identity_store_id: String,
    account_ids: Vec<String>,
    user_ids: Vec<String>,
    permission_set_arns: Vec<String>,
}

impl Seed {
    fn from_json(value: &Value) -> Result<Self, String> {
        let text = |key: &str| {
            value[key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("seed: `{key}` missing"))
        };
        let list = |key: &str| -> Result<Vec<String>, String> {
            let items: Vec<String> = value[key]
                .as_array()
                .ok_or_else(|| format!("seed: `{key}` missing"))?
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect();
            if items.is_empty() {
                return Err(format!("seed: `{key}` is empty"));
            }
            Ok(items)
        };
        Ok(Self {
            instance_arn: text("instance_arn")?,
            identity_store_id: text("identity_store_id")?,
            account_ids: list("account_ids")?,
            user_ids: list("user_ids")?,
            permission_set_arns: list("permission_set_arns")?,
        })
    }
}

/// One worker's results.
#[derive(Default)]
struct Tally {
    latencies_micros: Vec<u64>,
    by_operation: BTreeMap<String, (u64, u64)>,
    errors: u64,
    error_samples: Vec<String>,
}

/// A small deterministic generator (xorshift), so each worker's sequence is reproducible
/// and no RNG crate is needed.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &'a [String]) -> &'a str {
        // The index is below items.len(), which fits usize; the seed checked non-empty.
        let index = usize::try_from(self.next() % items.len() as u64).unwrap_or(0);
        &items[index]
    }
}

fn sign_headers(
    identity: &Identity,
    url: &str,
    host: &str,
    signing_name: &str,
    target: &str,
    body: &str,
) -> Result<Vec<(String, String)>, String> {
    let params = SigningParams::builder()
        .identity(identity)
        .region(REGION)
        .name(signing_name)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|error| error.to_string())?
        .into();
    let headers = [
        ("content-type", CONTENT_TYPE),
        ("host", host),
        ("x-amz-target", target),
    ];
    let signable = SignableRequest::new(
        "POST",
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .map_err(|error| error.to_string())?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|error| error.to_string())?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect())
}

#[expect(
    clippy::too_many_lines,
    reason = "one loop: pick, build, sign, send, record"
)]
async fn worker(
    worker_index: u64,
    endpoint: Arc<String>,
    seed: Arc<Seed>,
    warmup_until: Instant,
    stop_at: Instant,
) -> Tally {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap_or_default();
    let identity: Identity =
        Credentials::new(ACCESS_KEY_ID, SECRET_ACCESS_KEY, None, None, "bench").into();
    let url = format!("{endpoint}/");
    let host = endpoint.trim_start_matches("http://").to_owned();
    let total_weight: u32 = MIX.iter().map(|(_, weight)| weight).sum();
    let mut sequence =
        Sequence(0x9E37_79B9_7F4A_7C15 ^ (worker_index + 1).wrapping_mul(0x1234_5678_9ABC_DEF1));
    let mut tally = Tally::default();
    let mut groups_created = 0_u64;
    let mut last_group: Option<String> = None;
    let mut assignment_index = 0_u64;
    loop {
        let now = Instant::now();
        if now >= stop_at {
            break;
        }
        let mut roll = u32::try_from(sequence.next() % u64::from(total_weight)).unwrap_or(0);
        let mut operation = MIX[0].0;
        for (candidate, weight) in MIX {
            if roll < weight {
                operation = candidate;
                break;
            }
            roll -= weight;
        }
        // An assignment goes to the group this worker created last, each group once: every
        // assignment is new on both servers (no duplicate for moto to store twice).
        if operation == Operation::CreateAccountAssignment && last_group.is_none() {
            operation = Operation::CreateGroup;
        }
        let body = match operation {
            Operation::DescribeOrganization | Operation::ListAccounts => json!({}),
            Operation::DescribeAccount => json!({"AccountId": sequence.pick(&seed.account_ids)}),
            Operation::ListUsers => {
                json!({"IdentityStoreId": seed.identity_store_id, "MaxResults": 50})
            }
            Operation::DescribeUser => json!({
                "IdentityStoreId": seed.identity_store_id,
                "UserId": sequence.pick(&seed.user_ids),
            }),
            Operation::CreateGroup => {
                groups_created += 1;
                json!({
                    "IdentityStoreId": seed.identity_store_id,
                    "DisplayName": format!("bench-{worker_index}-{groups_created}"),
                })
            }
            Operation::ListPermissionSets => {
                json!({"InstanceArn": seed.instance_arn, "MaxResults": 20})
            }
            Operation::DescribePermissionSet => json!({
                "InstanceArn": seed.instance_arn,
                "PermissionSetArn": sequence.pick(&seed.permission_set_arns),
            }),
            Operation::ListAccountAssignments => json!({
                "InstanceArn": seed.instance_arn,
                "AccountId": sequence.pick(&seed.account_ids),
                "PermissionSetArn": sequence.pick(&seed.permission_set_arns),
                "MaxResults": 20,
            }),
            Operation::CreateAccountAssignment => {
                assignment_index += 1;
                let accounts = seed.account_ids.len() as u64;
                let sets = seed.permission_set_arns.len() as u64;
                // Indices below the lists' lengths: they fit usize.
                let account =
                    usize::try_from((worker_index + assignment_index) % accounts).unwrap_or(0);
                let set = usize::try_from(assignment_index % sets).unwrap_or(0);
                json!({
                    "InstanceArn": seed.instance_arn,
                    "TargetId": seed.account_ids[account],
                    "TargetType": "AWS_ACCOUNT",
                    "PermissionSetArn": seed.permission_set_arns[set],
                    "PrincipalType": "GROUP",
                    "PrincipalId": last_group.take(),
                })
            }
        }
        .to_string();
        let (signing_name, target) = operation.wire();
        let started = Instant::now();
        let outcome = match sign_headers(&identity, &url, &host, signing_name, &target, &body) {
            Err(error) => Err(format!("signing: {error}")),
            Ok(headers) => {
                let mut request = client
                    .post(&url)
                    .header("content-type", CONTENT_TYPE)
                    .header("x-amz-target", &target)
                    .body(body);
                for (name, value) in headers {
                    request = request.header(name, value);
                }
                match request.send().await {
                    Err(error) => Err(format!("{operation:?}: {error}")),
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let text = response.text().await.unwrap_or_default();
                        if status == 200 {
                            Ok(text)
                        } else {
                            Err(format!("{operation:?}: HTTP {status}: {text:.200}"))
                        }
                    }
                }
            }
        };
        let elapsed = started.elapsed();
        if operation == Operation::CreateGroup
            && let Ok(text) = &outcome
        {
            last_group = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|value| value["GroupId"].as_str().map(str::to_owned));
        }
        if started < warmup_until {
            continue;
        }
        let entry = tally
            .by_operation
            .entry(format!("{operation:?}"))
            .or_default();
        entry.0 += 1;
        tally
            .latencies_micros
            .push(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX));
        if let Err(error) = outcome {
            entry.1 += 1;
            tally.errors += 1;
            if tally.error_samples.len() < 3 {
                tally.error_samples.push(error);
            }
        }
    }
    tally
}

/// CPU seconds (user + system) this process has used, from `/proc/self/stat` (Linux; the
/// kernel's clock tick is 100 Hz on every supported architecture). `None` elsewhere.
fn own_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at field 3 (state);
    // utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    #[expect(clippy::cast_precision_loss, reason = "clock ticks, far below 2^52")]
    let seconds = (user + system) as f64 / 100.0;
    Some(seconds)
}

fn percentile(sorted: &[u64], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a list of at most a few million latencies"
    )]
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len()) - 1;
    #[expect(clippy::cast_precision_loss, reason = "microseconds, far below 2^52")]
    let micros = sorted[index] as f64;
    micros / 1000.0
}

async fn run() -> Result<(), String> {
    let arguments: Vec<String> = std::env::args().collect();
    if arguments.len() < 5 {
        return Err(
            "usage: monban-throughput ENDPOINT SEED_JSON WORKERS SECONDS [WARMUP_SECONDS]".into(),
        );
    }
    let endpoint = Arc::new(arguments[1].trim_end_matches('/').to_owned());
    let seed_text = std::fs::read_to_string(&arguments[2])
        .map_err(|error| format!("{}: {error}", arguments[2]))?;
    let seed_value: Value = serde_json::from_str(&seed_text).map_err(|error| error.to_string())?;
    let seed = Arc::new(Seed::from_json(&seed_value)?);
    let workers: u64 = arguments[3]
        .parse()
        .map_err(|_| "WORKERS: a whole number")?;
    let seconds: f64 = arguments[4].parse().map_err(|_| "SECONDS: a number")?;
    let warmup: f64 = match arguments.get(5) {
        Some(text) => text.parse().map_err(|_| "WARMUP_SECONDS: a number")?,
        None => 1.0,
    };
    let start = Instant::now();
    let warmup_until = start + Duration::from_secs_f64(warmup);
    let stop_at = warmup_until + Duration::from_secs_f64(seconds);
    let handles: Vec<_> = (0..workers)
        .map(|index| {
            tokio::spawn(worker(
                index,
                Arc::clone(&endpoint),
                Arc::clone(&seed),
                warmup_until,
                stop_at,
            ))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut by_operation: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut errors = 0;
    let mut error_samples = Vec::new();
    for handle in handles {
        let tally = handle.await.map_err(|error| error.to_string())?;
        latencies.extend(tally.latencies_micros);
        for (operation, (count, failed)) in tally.by_operation {
            let entry = by_operation.entry(operation).or_default();
            entry.0 += count;
            entry.1 += failed;
        }
        errors += tally.errors;
        error_samples.extend(tally.error_samples.into_iter().take(3));
    }
    // Measured from the end of the warm-up to when the last worker finished its last request.
    let measured = Instant::now()
        .saturating_duration_since(warmup_until)
        .as_secs_f64();
    latencies.sort_unstable();
    let requests = latencies.len();
    #[expect(
        clippy::cast_precision_loss,
        reason = "a request count, far below 2^52"
    )]
    let per_second = requests as f64 / measured;
    let report = json!({
        "endpoint": *endpoint,
        "workers": workers,
        "seconds": measured,
        "requests": requests,
        "errors": errors,
        "requests_per_second": per_second,
        "p50_ms": percentile(&latencies, 0.50),
        "p99_ms": percentile(&latencies, 0.99),
        "max_ms": percentile(&latencies, 1.0),
        "by_operation": by_operation
            .into_iter()
            .map(|(operation, (count, failed))| (operation, json!({"requests": count, "errors": failed})))
            .collect::<serde_json::Map<_, _>>(),
        "client_cpu_seconds": own_cpu_seconds(),
        "error_samples": error_samples.into_iter().take(5).collect::<Vec<_>>(),
    });
    println!("{report}");
    Ok(())
}

// One thread: the load generator takes at most one of the two cores, the server the rest.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(error) = run().await {
        eprintln!("monban-throughput: {error}");
        std::process::exit(2);
    }
}
