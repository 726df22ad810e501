//! awsQuery (STS, IAM): form-encoded `Action=…&Version=…` requests, XML responses and AWS's
//! XML error format.
//!
//! A request is `POST` with an `application/x-www-form-urlencoded` body (parameters in the
//! URL's query string are read too). The service is the one named in the SigV4 credential
//! scope (`…/sts/aws4_request`, `…/iam/aws4_request`), or, for an unsigned request, the one
//! whose API version the `Version` parameter names. Inputs are flat parameters; lists and
//! maps use awsQuery's encodings (`Tags.member.1.Key`, `PolicyArns.member.2.arn`), read
//! with [`QueryInput`]. Handlers write their result's members with an [`XmlWriter`]; the
//! envelope (aws-api-facts §1.1) is added here:
//!
//! ```xml
//! <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
//!   <GetCallerIdentityResult>…</GetCallerIdentityResult>
//!   <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
//! </GetCallerIdentityResponse>
//! ```
//!
//! Errors are `<ErrorResponse xmlns=…><Error><Type>Sender|Receiver</Type><Code>…</Code>
//! <Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>` with the HTTP status
//! the model gives the error (`error.httpStatusCode`), which botocore
//! (`QueryParser._do_error_parse`) and the Rust SDK (`rest_xml_wrapped_errors`) both read.

use std::collections::BTreeMap;

use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;

use super::REQUEST_ID_HEADER;
use super::aws_json::RequestContext;
use super::error::ProtocolError;
use crate::auth;
use crate::engine::{Engine, RequestLogEntry};
use crate::services;
use crate::world::World;

/// The content type of awsQuery responses (what STS and IAM send).
pub const TEXT_XML: &str = "text/xml";

/// A service spoken over awsQuery.
#[derive(Debug)]
pub struct QueryService {
    /// The service's short name in the request log (`sts`, `iam`).
    pub name: &'static str,
    /// The SigV4 signing name that must appear in the credential scope.
    pub signing_name: &'static str,
    /// The API version (`Version` parameter), e.g. `2011-06-15`.
    pub version: &'static str,
    /// The model's `xmlNamespace`, put on the response's root element.
    pub xml_namespace: &'static str,
    /// The service's dispatch table.
    pub dispatch: fn(&mut QueryCall<'_>) -> Result<XmlWriter, QueryError>,
}

/// An awsQuery error: AWS's code (the model's `error.code`, not the shape name), message
/// and HTTP status. One enum for STS and IAM: their modeled errors plus AWS's common query
/// errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// `AccessDenied` (403): the caller may not do this.
    #[error("AccessDenied: {0}")]
    AccessDenied(String),
    /// `ValidationError` (400): an input violates the model's constraints.
    #[error("ValidationError: {0}")]
    ValidationError(String),
    /// `InvalidInput` (400): IAM's error for an input it cannot use.
    #[error("InvalidInput: {0}")]
    InvalidInput(String),
    /// `NoSuchEntity` (404).
    #[error("NoSuchEntity: {0}")]
    NoSuchEntity(String),
    /// `EntityAlreadyExists` (409).
    #[error("EntityAlreadyExists: {0}")]
    EntityAlreadyExists(String),
    /// `LimitExceeded` (409): an IAM quota.
    #[error("LimitExceeded: {0}")]
    LimitExceeded(String),
    /// `DeleteConflict` (409): the entity still has subordinates.
    #[error("DeleteConflict: {0}")]
    DeleteConflict(String),
    /// `MalformedPolicyDocument` (400).
    #[error("MalformedPolicyDocument: {0}")]
    MalformedPolicyDocument(String),
    /// `InvalidAction` (400): no such action in this service.
    #[error("InvalidAction: {0}")]
    InvalidAction(String),
    /// `MissingAction` (400): no `Action` parameter.
    #[error("MissingAction: {0}")]
    MissingAction(String),
    /// `MissingAuthenticationToken` (403): the request is not signed.
    #[error("MissingAuthenticationToken: {0}")]
    MissingAuthenticationToken(String),
    /// `IncompleteSignature` (400): a malformed `Authorization` header.
    #[error("IncompleteSignature: {0}")]
    IncompleteSignature(String),
    /// `InvalidClientTokenId` (403): an unknown access key or session token.
    #[error("InvalidClientTokenId: {0}")]
    InvalidClientTokenId(String),
    /// `ExpiredToken` (403): a temporary key past its expiration.
    #[error("ExpiredToken: {0}")]
    ExpiredToken(String),
    /// `SignatureDoesNotMatch` (403).
    #[error("SignatureDoesNotMatch: {0}")]
    SignatureDoesNotMatch(String),
    /// `InternalFailure` (500): an emulator bug.
    #[error("InternalFailure: {0}")]
    InternalFailure(String),
}

impl QueryError {
    /// The `<Code>` AWS sends.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::AccessDenied(_) => "AccessDenied",
            Self::ValidationError(_) => "ValidationError",
            Self::InvalidInput(_) => "InvalidInput",
            Self::NoSuchEntity(_) => "NoSuchEntity",
            Self::EntityAlreadyExists(_) => "EntityAlreadyExists",
            Self::LimitExceeded(_) => "LimitExceeded",
            Self::DeleteConflict(_) => "DeleteConflict",
            Self::MalformedPolicyDocument(_) => "MalformedPolicyDocument",
            Self::InvalidAction(_) => "InvalidAction",
            Self::MissingAction(_) => "MissingAction",
            Self::MissingAuthenticationToken(_) => "MissingAuthenticationToken",
            Self::IncompleteSignature(_) => "IncompleteSignature",
            Self::InvalidClientTokenId(_) => "InvalidClientTokenId",
            Self::ExpiredToken(_) => "ExpiredToken",
            Self::SignatureDoesNotMatch(_) => "SignatureDoesNotMatch",
            Self::InternalFailure(_) => "InternalFailure",
        }
    }

    /// The human message.
    #[must_use]
    pub fn message(&self) -> &str {
        match self {
            Self::AccessDenied(message)
            | Self::ValidationError(message)
            | Self::InvalidInput(message)
            | Self::NoSuchEntity(message)
            | Self::EntityAlreadyExists(message)
            | Self::LimitExceeded(message)
            | Self::DeleteConflict(message)
            | Self::MalformedPolicyDocument(message)
            | Self::InvalidAction(message)
            | Self::MissingAction(message)
            | Self::MissingAuthenticationToken(message)
            | Self::IncompleteSignature(message)
            | Self::InvalidClientTokenId(message)
            | Self::ExpiredToken(message)
            | Self::SignatureDoesNotMatch(message)
            | Self::InternalFailure(message) => message,
        }
    }

    /// The HTTP status: the model's `httpStatusCode` for modeled errors, AWS's common-errors
    /// table for the others.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::AccessDenied(_)
            | Self::MissingAuthenticationToken(_)
            | Self::InvalidClientTokenId(_)
            | Self::ExpiredToken(_)
            | Self::SignatureDoesNotMatch(_) => StatusCode::FORBIDDEN,
            Self::NoSuchEntity(_) => StatusCode::NOT_FOUND,
            Self::EntityAlreadyExists(_) | Self::LimitExceeded(_) | Self::DeleteConflict(_) => {
                StatusCode::CONFLICT
            }
            Self::InternalFailure(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::ValidationError(_)
            | Self::InvalidInput(_)
            | Self::MalformedPolicyDocument(_)
            | Self::InvalidAction(_)
            | Self::MissingAction(_)
            | Self::IncompleteSignature(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// The XML error response for this error, answering request `request_id`.
    #[must_use]
    pub fn into_response(self, namespace: &str, request_id: &str) -> Response {
        let fault = if self.status().is_server_error() {
            "Receiver"
        } else {
            "Sender"
        };
        let mut xml = XmlWriter::default();
        xml.open("Error");
        xml.element("Type", fault);
        xml.element("Code", self.code());
        xml.element("Message", self.message());
        xml.close("Error");
        xml.element("RequestId", request_id);
        let body = format!(
            "<ErrorResponse xmlns=\"{}\">{}</ErrorResponse>",
            escape(namespace),
            xml.finish()
        );
        xml_response(self.status(), body, request_id)
    }
}

impl From<ProtocolError> for QueryError {
    /// The query protocol spells the authentication errors as AWS's common errors do.
    fn from(error: ProtocolError) -> Self {
        match error {
            ProtocolError::UnknownOperationException { message } => Self::InvalidAction(message),
            ProtocolError::SerializationException { message } => Self::ValidationError(message),
            ProtocolError::MissingAuthenticationTokenException { message } => {
                Self::MissingAuthenticationToken(message)
            }
            ProtocolError::IncompleteSignatureException { message } => {
                Self::IncompleteSignature(message)
            }
            ProtocolError::UnrecognizedClientException { message } => {
                Self::InvalidClientTokenId(message)
            }
            ProtocolError::ExpiredTokenException { message } => Self::ExpiredToken(message),
            ProtocolError::InvalidSignatureException { message } => {
                Self::SignatureDoesNotMatch(message)
            }
            ProtocolError::InternalFailure { message } => Self::InternalFailure(message),
        }
    }
}

fn xml_response(status: StatusCode, body: String, request_id: &str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(TEXT_XML));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Escapes text for XML content and attribute values.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            other => out.push(other),
        }
    }
    out
}

/// Formats a timestamp as awsQuery sends it: ISO-8601 in UTC, whole seconds
/// (`2026-11-29T04:36:08Z`, aws-api-facts §1.4).
#[must_use]
pub fn iso8601(timestamp: Timestamp) -> String {
    timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Builds the members of a result element, in order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    /// `<name>` (closed with [`Self::close`]).
    pub fn open(&mut self, name: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// `</name>`.
    pub fn close(&mut self, name: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// `<name>text</name>`, the text escaped.
    pub fn element(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name);
        self.out.push_str(&escape(text));
        self.close(name)
    }

    /// An element only when the value is present.
    pub fn optional(&mut self, name: &str, text: Option<&str>) -> &mut Self {
        if let Some(text) = text {
            self.element(name, text);
        }
        self
    }

    /// A timestamp element (ISO-8601).
    pub fn timestamp(&mut self, name: &str, timestamp: Timestamp) -> &mut Self {
        self.element(name, &iso8601(timestamp))
    }

    /// A boolean element (`true`/`false`).
    pub fn boolean(&mut self, name: &str, value: bool) -> &mut Self {
        self.element(name, if value { "true" } else { "false" })
    }

    /// An integer element.
    pub fn integer(&mut self, name: &str, value: i64) -> &mut Self {
        self.element(name, &value.to_string())
    }

    /// A list member: `<name><member>…</member>…</name>`, each item written by `write`
    /// inside its `<member>`.
    pub fn list<T>(
        &mut self,
        name: &str,
        items: impl IntoIterator<Item = T>,
        mut write: impl FnMut(&mut Self, T),
    ) -> &mut Self {
        self.open(name);
        for item in items {
            self.open("member");
            write(self, item);
            self.close("member");
        }
        self.close(name)
    }

    /// IAM's list pagination members: `IsTruncated` and, when truncated, `Marker`.
    pub fn page_end(&mut self, marker: Option<&str>) -> &mut Self {
        self.boolean("IsTruncated", marker.is_some());
        self.optional("Marker", marker)
    }

    /// Whether nothing was written (an operation without output members).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// The XML written so far.
    #[must_use]
    pub fn finish(self) -> String {
        self.out
    }
}

/// A request's parameters (form body and query string), by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryInput {
    parameters: BTreeMap<String, String>,
}

impl QueryInput {
    /// Parses `Name=Value&…` (percent- and `+`-decoded).
    #[must_use]
    pub fn parse(encoded: &[u8]) -> Self {
        let mut input = Self::default();
        input.extend(encoded);
        input
    }

    fn extend(&mut self, encoded: &[u8]) {
        for (name, value) in form_urlencoded::parse(encoded) {
            self.parameters
                .entry(name.into_owned())
                .or_insert_with(|| value.into_owned());
        }
    }

    /// A parameter, if given.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.parameters.get(name).map(String::as_str)
    }

    /// A required parameter: a missing one is `ValidationError` with AWS's wording.
    ///
    /// # Errors
    /// `ValidationError` when absent.
    pub fn required(&self, name: &str) -> Result<&str, QueryError> {
        self.get(name).ok_or_else(|| {
            QueryError::ValidationError(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                lower_first(name)
            ))
        })
    }

    /// An integer parameter.
    ///
    /// # Errors
    /// `ValidationError` when it is not an integer.
    pub fn integer(&self, name: &str) -> Result<Option<i64>, QueryError> {
        self.get(name)
            .map(|value| {
                value.parse().map_err(|_| {
                    QueryError::ValidationError(format!(
                        "Value '{value}' for parameter {name} is not a valid integer."
                    ))
                })
            })
            .transpose()
    }

    /// A boolean parameter (`true`/`false`).
    ///
    /// # Errors
    /// `ValidationError` when it is neither.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, QueryError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) if value.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(value) if value.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(value) => Err(QueryError::ValidationError(format!(
                "Value '{value}' for parameter {name} is not a valid boolean."
            ))),
        }
    }

    /// The members of a list of structures, `Name.member.N.Field`, in N order: each item is
    /// its fields by name. A list given as `Name=` (empty) is empty.
    #[must_use]
    pub fn structure_list(&self, name: &str) -> Vec<BTreeMap<String, String>> {
        let prefix = format!("{name}.member.");
        let mut items: BTreeMap<u32, BTreeMap<String, String>> = BTreeMap::new();
        for (key, value) in self.parameters.range(prefix.clone()..) {
            let Some(rest) = key.strip_prefix(&prefix) else {
                break;
            };
            let (index, field) = rest.split_once('.').unwrap_or((rest, ""));
            if let Ok(index) = index.parse::<u32>() {
                items
                    .entry(index)
                    .or_default()
                    .insert(field.to_owned(), value.clone());
            }
        }
        items.into_values().collect()
    }

    /// The members of a list of strings, `Name.member.N`, in N order.
    #[must_use]
    pub fn string_list(&self, name: &str) -> Vec<String> {
        self.structure_list(name)
            .into_iter()
            .filter_map(|mut fields| fields.remove(""))
            .collect()
    }
}

fn lower_first(name: &str) -> String {
    let mut characters = name.chars();
    characters.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(characters).collect()
    })
}

/// One action call: its parameters and the World, while the lock is held.
#[derive(Debug)]
pub struct QueryCall<'a> {
    action: &'a str,
    input: &'a QueryInput,
    context: &'a RequestContext,
    world: &'a mut World,
    service: &'static QueryService,
    mutated: bool,
}

impl QueryCall<'_> {
    /// The `Action` parameter.
    #[must_use]
    pub fn action(&self) -> &str {
        self.action
    }

    /// Runs a handler that only reads the World.
    ///
    /// # Errors
    /// The handler's error.
    pub fn read(
        &mut self,
        handler: impl FnOnce(&RequestContext, &World, &QueryInput) -> Result<XmlWriter, QueryError>,
    ) -> Result<XmlWriter, QueryError> {
        handler(self.context, self.world, self.input)
    }

    /// Runs a handler that may change the World; the World is persisted afterwards.
    ///
    /// # Errors
    /// The handler's error.
    pub fn write(
        &mut self,
        handler: impl FnOnce(&RequestContext, &mut World, &QueryInput) -> Result<XmlWriter, QueryError>,
    ) -> Result<XmlWriter, QueryError> {
        self.mutated = true;
        handler(self.context, self.world, self.input)
    }

    /// The error for an action the service does not serve.
    #[must_use]
    pub fn unknown_action(&self) -> QueryError {
        QueryError::InvalidAction(format!(
            "Could not find operation {} for version {}",
            self.action, self.service.version
        ))
    }
}

/// The credential scope's service name in an `Authorization` header, if any.
fn signing_service(parts: &Parts) -> Option<&str> {
    let authorization = parts.headers.get("authorization")?.to_str().ok()?;
    let credential = authorization.split("Credential=").nth(1)?;
    let credential = credential.split([',', ' ']).next()?;
    credential.split('/').nth(3)
}

/// The awsQuery service a request is for: by credential scope, else by API version.
fn find_service(parts: &Parts, input: &QueryInput) -> Option<&'static QueryService> {
    match signing_service(parts) {
        Some(name) => services::query_service_by_signing_name(name),
        None => services::query_service_by_version(input.get("Version")?),
    }
}

/// Serves one awsQuery request (synchronously, on a blocking thread).
pub(crate) fn handle(engine: &Engine, parts: &Parts, body: &[u8], request_id: &str) -> Response {
    let mut input = QueryInput::parse(body);
    if let Some(query) = parts.uri.query() {
        input.extend(query.as_bytes());
    }
    let service = find_service(parts, &input);
    let action = input.get("Action").unwrap_or_default().to_owned();
    let mut world = engine.lock_world();
    let now = world.clock.now();
    let result = serve(
        engine, &mut world, service, parts, body, &input, request_id, now,
    );
    let mut entry = RequestLogEntry::new(
        now,
        service.map_or("unknown", |service| service.name),
        &action,
        request_id,
        None,
    );
    if let Err(error) = &result {
        entry.outcome = "error";
        entry.error_code = Some(error.code().to_owned());
        entry.status = error.status().as_u16();
    }
    engine.log(entry);
    drop(world);
    // Unknown services answer in STS's namespace: every awsQuery client reads the error
    // whatever the namespace.
    let namespace = service.map_or("https://sts.amazonaws.com/doc/2011-06-15/", |service| {
        service.xml_namespace
    });
    match result {
        Ok(result) => {
            // An operation without output members has no Result element (DeletePolicy).
            let result = if result.is_empty() {
                String::new()
            } else {
                format!("<{action}Result>{}</{action}Result>", result.finish())
            };
            let body = format!(
                "<{action}Response xmlns=\"{}\">{result}<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{action}Response>",
                escape(namespace),
                escape(request_id)
            );
            xml_response(StatusCode::OK, body, request_id)
        }
        Err(error) => error.into_response(namespace, request_id),
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one internal call site, all distinct inputs"
)]
fn serve(
    engine: &Engine,
    world: &mut World,
    service: Option<&'static QueryService>,
    parts: &Parts,
    body: &[u8],
    input: &QueryInput,
    request_id: &str,
    now: Timestamp,
) -> Result<XmlWriter, QueryError> {
    let Some(service) = service else {
        return Err(QueryError::InvalidAction(
            "The request names no awsQuery service this endpoint serves (sts, iam).".into(),
        ));
    };
    let caller = auth::authenticate(
        parts,
        body,
        service.signing_name,
        &world.credentials,
        Timestamp::now(),
        now,
    )?;
    let Some(action) = input.get("Action") else {
        return Err(QueryError::MissingAction(
            "The request must contain the parameter Action.".into(),
        ));
    };
    // The key was used: IAM's GetAccessKeyLastUsed reports it. Saved with the next write.
    world.iam.record_key_use(
        &caller.access_key_id,
        service.name,
        &caller.signing_region,
        now,
    );
    let settled = world.settle(now);
    let context = RequestContext {
        request_id: request_id.to_owned(),
        now,
        caller,
        settings: engine.settings().clone(),
    };
    let mut call = QueryCall {
        action,
        input,
        context: &context,
        world,
        service,
        mutated: false,
    };
    let result = (service.dispatch)(&mut call);
    if settled || call.mutated {
        engine.persist(world).map_err(|error| {
            QueryError::InternalFailure(format!("The sandbox could not save its state: {error}"))
        })?;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_awsquery_lists_and_maps() {
        let input = QueryInput::parse(
            b"Action=CreatePolicy&Version=2010-05-08&PolicyName=a%2Bb&Tags.member.2.Key=team&Tags.member.2.Value=x+y&Tags.member.1.Key=env&Tags.member.1.Value=prod&PolicyArns.member.1.arn=arn1&Names.member.1=one&Names.member.2=two",
        );
        assert_eq!(input.get("PolicyName"), Some("a+b"));
        let tags = input.structure_list("Tags");
        assert_eq!(tags.len(), 2);
        assert_eq!(tags[0]["Key"], "env");
        assert_eq!(tags[1]["Value"], "x y");
        assert_eq!(input.structure_list("PolicyArns")[0]["arn"], "arn1");
        assert_eq!(input.string_list("Names"), ["one", "two"]);
        assert!(input.structure_list("Missing").is_empty());
        let error = input.required("UserName").unwrap_err();
        assert_eq!(error.code(), "ValidationError");
        assert!(error.message().contains("'userName'"), "{error}");
    }

    #[test]
    fn writes_escaped_xml_and_iso_timestamps() {
        let mut xml = XmlWriter::default();
        xml.element("Name", "a<b&\"c\"")
            .timestamp("CreateDate", Timestamp::from_second(1_800_000_000).unwrap())
            .list("Items", ["x", "y"], |xml, item| {
                xml.element("Value", item);
            })
            .page_end(None);
        assert_eq!(
            xml.finish(),
            "<Name>a&lt;b&amp;&quot;c&quot;</Name><CreateDate>2027-01-15T08:00:00Z</CreateDate>\
             <Items><member><Value>x</Value></member><member><Value>y</Value></member></Items>\
             <IsTruncated>false</IsTruncated>"
        );
    }

    #[test]
    fn errors_carry_the_model_status_and_code() {
        assert_eq!(
            QueryError::NoSuchEntity(String::new()).status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            QueryError::LimitExceeded(String::new()).status(),
            StatusCode::CONFLICT
        );
        let expired = QueryError::from(ProtocolError::ExpiredTokenException {
            message: "expired".into(),
        });
        assert_eq!(expired.code(), "ExpiredToken");
        assert_eq!(expired.status(), StatusCode::FORBIDDEN);
    }
}
