//! IAM Identity Center's SCIM endpoint over HTTP (reqwest), as an IdP provisions through it,
//! and the Identity Store API (`aws-sdk-identitystore`) seeing what SCIM wrote: the same ids,
//! externalId, `active: false` as `UserStatus` DISABLED, memberships, and a deleted user's
//! account assignments left behind as orphans.

use aws_sdk_identitystore::types::UserStatus;
use http::Method;
use serde_json::{Value, json};

use crate::common;

/// A SCIM client for one sandbox: the base URL (`…/scim/v2`) and the bearer token.
struct Scim {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Scim {
    /// Asks the control API for the endpoint and token (created on first use).
    async fn of(endpoint: &str) -> Self {
        let answer = common::control_get(endpoint, "scim-token").await;
        let path = answer["scim_path"].as_str().expect("scim_path");
        assert!(path.ends_with("/scim/v2"), "{answer}");
        assert_eq!(
            answer["scim_endpoint"].as_str(),
            Some(format!("{endpoint}{path}").as_str())
        );
        Self {
            base: format!("{endpoint}{path}"),
            token: answer["access_token"].as_str().expect("a token").to_owned(),
            http: reqwest::Client::new(),
        }
    }

    async fn call_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/scim+json")
                .body(body.to_string());
        }
        let response = request.send().await.expect("the SCIM endpoint answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON, got {text:?}"))
        };
        (status, body)
    }

    async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        self.call_with(method, path, body, Some(&self.token.clone()))
            .await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, operations: &Value) -> (u16, Value) {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": operations,
        });
        self.call(Method::PATCH, path, Some(&body)).await
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// Creates a user as Okta would send it; returns its id.
    async fn create_user(&self, user_name: &str, external_id: &str) -> String {
        let (status, body) = self.post("/Users", &user(user_name, external_id)).await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().expect("an id").to_owned()
    }
}

/// A complete SCIM user body.
fn user(user_name: &str, external_id: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "externalId": external_id,
        "name": {"givenName": "Alice", "familyName": "Doe"},
        "displayName": "Alice Doe",
        "emails": [{"value": format!("{user_name}@example.com"), "type": "work", "primary": true}],
        "active": true,
    })
}

/// Asserts an RFC 7644 error body with `status` (and `scimType` when given).
fn assert_error(answer: &(u16, Value), status: u16, scim_type: Option<&str>) {
    let (code, body) = answer;
    assert_eq!(*code, status, "{body}");
    assert_eq!(
        body["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
    );
    assert_eq!(body["status"], Value::from(status.to_string()));
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|detail| !detail.is_empty())
    );
    if let Some(scim_type) = scim_type {
        assert_eq!(body["scimType"], scim_type, "{body}");
    }
}

async fn identity_store(
    endpoint: &str,
    sdk: &aws_config::SdkConfig,
) -> (aws_sdk_identitystore::Client, String) {
    let store = common::control_get(endpoint, "health").await["identity_store_id"]
        .as_str()
        .expect("a store id")
        .to_owned();
    (aws_sdk_identitystore::Client::new(sdk), store)
}

#[tokio::test]
async fn requests_without_the_token_or_with_another_tenant_are_unauthorized() {
    let (server, _sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    // Before any token exists nothing is authorized.
    let unauthorized = reqwest::get(format!("{endpoint}/some-tenant/scim/v2/Users"))
        .await
        .unwrap();
    assert_eq!(unauthorized.status().as_u16(), 401);

    let scim = Scim::of(&endpoint).await;
    assert_error(
        &scim.call_with(Method::GET, "/Users", None, None).await,
        401,
        None,
    );
    assert_error(
        &scim
            .call_with(Method::GET, "/Users", None, Some("wrong"))
            .await,
        401,
        None,
    );
    let other_tenant = scim
        .http
        .get(format!(
            "{endpoint}/00000000-0000-0000-0000-000000000000/scim/v2/Users"
        ))
        .bearer_auth(&scim.token)
        .send()
        .await
        .unwrap();
    assert_eq!(other_tenant.status().as_u16(), 401);
    assert_eq!(scim.get("/Users").await.0, 200);
    // The same token is handed out again (GET or POST); rotating replaces it.
    assert_eq!(Scim::of(&endpoint).await.token, scim.token);
    let (status, again) = common::control_post(&endpoint, "scim-token", &json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(again["access_token"].as_str(), Some(scim.token.as_str()));
    // Rotating issues a second token; the first keeps working until the next rotation
    // (two tokens at most, as in Identity Center).
    let (status, rotated) = common::control_post(&endpoint, "scim-token/rotate", &json!({})).await;
    assert_eq!(status, 200);
    let second = rotated["access_token"].as_str().unwrap().to_owned();
    assert_ne!(second, scim.token);
    assert_eq!(rotated["live_tokens"], 2);
    assert_eq!(scim.get("/Users").await.0, 200);
    let (_, third) = common::control_post(&endpoint, "scim-token/rotate", &json!({})).await;
    assert_eq!(third["live_tokens"], 2);
    assert_error(&scim.get("/Users").await, 401, None);
    assert_eq!(
        scim.call_with(Method::GET, "/Users", None, Some(&second))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn users_are_created_read_filtered_and_deleted() {
    let (server, _sdk) = common::start().await;
    let scim = Scim::of(&server.endpoint_url()).await;
    let (status, created) = scim.post("/Users", &user("alice", "okta-1")).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["userName"], "alice");
    assert_eq!(created["externalId"], "okta-1");
    assert_eq!(created["active"], true);
    assert_eq!(created["meta"]["resourceType"], "User");
    assert_eq!(created["name"]["givenName"], "Alice");
    assert_eq!(created["emails"][0]["primary"], true);

    let (status, read) = scim.get(&format!("/Users/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(read, created);

    for filter in [
        r#"userName eq "ALICE""#,
        r#"externalId eq "okta-1""#,
        &format!(r#"id eq "{id}""#),
    ] {
        let (status, list) = scim
            .get(&format!("/Users?filter={}", urlencode(filter)))
            .await;
        assert_eq!(status, 200, "{filter}: {list}");
        assert_eq!(list["totalResults"], 1, "{filter}");
        assert_eq!(list["Resources"][0]["id"], id);
    }
    let (_, none) = scim
        .get(&format!(
            "/Users?filter={}",
            urlencode(r#"externalId eq "OKTA-1""#)
        ))
        .await;
    assert_eq!(none["totalResults"], 0, "externalId is case-exact");

    // userName, externalId and email are unique.
    let duplicate = scim.post("/Users", &user("alice", "okta-9")).await;
    assert!(
        duplicate.1["detail"]
            .as_str()
            .unwrap()
            .starts_with("Refused to create a new, duplicate resource."),
        "{}",
        duplicate.1
    );
    assert_error(
        &scim.post("/Users", &user("Alice", "okta-2")).await,
        409,
        Some("uniqueness"),
    );
    assert_error(
        &scim.post("/Users", &user("alice2", "okta-1")).await,
        409,
        Some("uniqueness"),
    );
    let mut same_email = user("alice3", "okta-3");
    same_email["emails"][0]["value"] = json!("ALICE@example.com");
    assert_error(
        &scim.post("/Users", &same_email).await,
        409,
        Some("uniqueness"),
    );

    assert_eq!(scim.delete(&format!("/Users/{id}")).await.0, 204);
    assert_error(&scim.get(&format!("/Users/{id}")).await, 404, None);
    assert_error(&scim.delete(&format!("/Users/{id}")).await, 404, None);
}

#[tokio::test]
async fn what_identity_center_does_not_support_is_refused() {
    let (server, _sdk) = common::start().await;
    let scim = Scim::of(&server.endpoint_url()).await;
    let mut bodies = Vec::new();
    let mut missing_given_name = user("a1", "x1");
    missing_given_name["name"] = json!({"familyName": "Doe"});
    bodies.push(missing_given_name);
    let mut missing_display_name = user("a2", "x2");
    missing_display_name
        .as_object_mut()
        .unwrap()
        .remove("displayName");
    bodies.push(missing_display_name);
    let mut two_emails = user("a3", "x3");
    two_emails["emails"] = json!([
        {"value": "a@example.com", "primary": true},
        {"value": "b@example.com"}
    ]);
    bodies.push(two_emails);
    let mut not_primary = user("a4", "x4");
    not_primary["emails"][0]["primary"] = json!(false);
    bodies.push(not_primary);
    let mut password = user("a5", "x5");
    password["password"] = json!("hunter2");
    bodies.push(password);
    let mut groups = user("a6", "x6");
    groups["groups"] = json!([{"value": "g"}]);
    bodies.push(groups);
    let mut email_display = user("a7", "x7");
    email_display["emails"][0]["display"] = json!("Alice");
    bodies.push(email_display);
    for body in &bodies {
        assert_error(&scim.post("/Users", body).await, 400, Some("invalidValue"));
    }
    assert_eq!(scim.get("/Users").await.1["totalResults"], 0);

    for filter in [
        r#"userName sw "a""#,
        r#"userName eq "a" or userName eq "b""#,
        r#"displayName eq "Alice Doe""#,
        "userName pr",
    ] {
        assert_error(
            &scim
                .get(&format!("/Users?filter={}", urlencode(filter)))
                .await,
            400,
            Some("invalidFilter"),
        );
    }
    for path in ["/Bulk", "/Me", "/Users/.search"] {
        assert_error(&scim.post(path, &json!({})).await, 400, None);
    }
    assert_error(&scim.get("/ResourceTypes/User").await, 400, None);
    assert_error(&scim.get("/Nothing").await, 404, None);
    assert_error(&scim.get("/Users?count=0").await, 400, Some("invalidValue"));
    assert_error(
        &scim.get("/Users?count=101").await,
        400,
        Some("invalidValue"),
    );
}

#[tokio::test]
async fn scim_writes_are_the_identity_store_s_users_groups_and_memberships() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let scim = Scim::of(&endpoint).await;
    let (client, store) = identity_store(&endpoint, &sdk).await;
    let user_id = scim.create_user("alice", "okta-alice").await;

    let listed = client
        .list_users()
        .identity_store_id(&store)
        .send()
        .await
        .unwrap();
    let listed = &listed.users()[0];
    assert_eq!(listed.user_id(), user_id);
    assert_eq!(listed.user_name(), Some("alice"));
    assert_eq!(listed.display_name(), Some("Alice Doe"));
    assert_eq!(listed.name().unwrap().given_name(), Some("Alice"));
    assert_eq!(listed.emails()[0].value(), Some("alice@example.com"));
    assert_eq!(listed.external_ids()[0].id(), "okta-alice");
    assert_eq!(listed.external_ids()[0].issuer(), "SCIM");
    assert_eq!(listed.user_status(), Some(&UserStatus::Enabled));

    let (status, group) = scim
        .post(
            "/Groups",
            &json!({"displayName": "Developers", "externalId": "okta-developers"}),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let group_id = group["id"].as_str().unwrap();
    // CreateGroup and GetGroup answer without members, ListGroups with an empty list (the
    // guide's examples).
    assert!(group.get("members").is_none(), "{group}");
    let described = client
        .describe_group()
        .identity_store_id(&store)
        .group_id(group_id)
        .send()
        .await
        .unwrap();
    assert_eq!(described.display_name(), Some("Developers"));
    assert_error(
        &scim
            .post("/Groups", &json!({"displayName": "developers"}))
            .await,
        409,
        Some("uniqueness"),
    );

    let (status, _) = scim
        .patch(
            &format!("/Groups/{group_id}"),
            &json!([{"op": "add", "path": "members", "value": [{"value": user_id}]}]),
        )
        .await;
    assert_eq!(status, 204);
    let memberships = client
        .list_group_memberships()
        .identity_store_id(&store)
        .group_id(group_id)
        .send()
        .await
        .unwrap();
    assert_eq!(memberships.group_memberships().len(), 1);
    // GetGroup shows no members; the id + members filter answers membership.
    assert!(
        scim.get(&format!("/Groups/{group_id}"))
            .await
            .1
            .get("members")
            .is_none()
    );
    let member_filter = format!(r#"id eq "{group_id}" and members eq "{user_id}""#);
    let (_, found) = scim
        .get(&format!("/Groups?filter={}", urlencode(&member_filter)))
        .await;
    assert_eq!(found["totalResults"], 1, "{found}");
    assert_eq!(found["Resources"][0]["members"], json!([]));
    let (_, of_member) = scim
        .get(&format!(
            "/Groups?filter={}",
            urlencode(&format!(r#"members.value eq "{user_id}""#))
        ))
        .await;
    assert_eq!(of_member["Resources"][0]["id"], group_id);
    assert_error(
        &scim
            .get(&format!(
                "/Groups?filter={}",
                urlencode(r#"members.value eq "no-such-user""#)
            ))
            .await,
        404,
        None,
    );
    let (_, in_group) = scim
        .get(&format!(
            "/Users?filter={}",
            urlencode(&format!(r#"groups.value eq "{group_id}""#))
        ))
        .await;
    assert_eq!(in_group["Resources"][0]["id"], user_id.as_str());

    // Replacing members or removing them all is refused; removing one works.
    assert_error(
        &scim
            .patch(
                &format!("/Groups/{group_id}"),
                &json!([{"op": "replace", "path": "members", "value": [{"value": user_id}]}]),
            )
            .await,
        400,
        None,
    );
    assert_error(
        &scim
            .patch(
                &format!("/Groups/{group_id}"),
                &json!([{"op": "remove", "path": "members"}]),
            )
            .await,
        400,
        None,
    );
    let too_many: Vec<Value> = (0..101)
        .map(|index| json!({"value": format!("u-{index}")}))
        .collect();
    assert_error(
        &scim
            .patch(
                &format!("/Groups/{group_id}"),
                &json!([{"op": "remove", "path": "members", "value": too_many}]),
            )
            .await,
        400,
        None,
    );
    assert_error(
        &scim
            .call(
                Method::PUT,
                &format!("/Groups/{group_id}"),
                Some(&json!({"displayName": "x"})),
            )
            .await,
        400,
        None,
    );
    let (status, _) = scim
        .patch(
            &format!("/Groups/{group_id}"),
            &json!([
                {"op": "remove", "path": format!("members[value eq \"{user_id}\"]")},
                {"op": "replace", "path": "displayName", "value": "Engineers"},
                // Okta's group push: a path-less replace repeating the id.
                {"op": "replace", "value": {"id": group_id, "displayName": "Engineers"}}
            ]),
        )
        .await;
    assert_eq!(status, 204);
    let memberships = client
        .list_group_memberships()
        .identity_store_id(&store)
        .group_id(group_id)
        .send()
        .await
        .unwrap();
    assert!(memberships.group_memberships().is_empty());
    assert_eq!(
        scim.get(&format!("/Groups/{group_id}")).await.1["displayName"],
        "Engineers"
    );
    assert_eq!(scim.delete(&format!("/Groups/{group_id}")).await.0, 204);
    assert!(
        client
            .describe_group()
            .identity_store_id(&store)
            .group_id(group_id)
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_leaver_deactivated_by_patch_is_disabled_at_once_and_can_be_re_enabled() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let scim = Scim::of(&endpoint).await;
    let (client, store) = identity_store(&endpoint, &sdk).await;
    let user_id = scim.create_user("leaver", "okta-leaver").await;
    let status = async |client: &aws_sdk_identitystore::Client| {
        client
            .describe_user()
            .identity_store_id(&store)
            .user_id(&user_id)
            .send()
            .await
            .unwrap()
            .user_status()
            .cloned()
    };

    // Okta's deactivation: one replace of active (Entra ID sends the string "False").
    let (code, patched) = scim
        .patch(
            &format!("/Users/{user_id}"),
            &json!([{"op": "replace", "value": {"active": false}}]),
        )
        .await;
    assert_eq!(code, 200, "{patched}");
    assert_eq!(patched["active"], false);
    assert_eq!(status(&client).await, Some(UserStatus::Disabled));
    assert_eq!(
        scim.get(&format!("/Users/{user_id}")).await.1["active"],
        false
    );

    let (code, _) = scim
        .patch(
            &format!("/Users/{user_id}"),
            &json!([{"op": "Replace", "path": "active", "value": "True"}]),
        )
        .await;
    assert_eq!(code, 200);
    assert_eq!(status(&client).await, Some(UserStatus::Enabled));

    // Removing active, or two operations on it in one request, is refused.
    assert_error(
        &scim
            .patch(
                &format!("/Users/{user_id}"),
                &json!([{"op": "remove", "path": "active"}]),
            )
            .await,
        400,
        None,
    );
    assert_error(
        &scim
            .patch(
                &format!("/Users/{user_id}"),
                &json!([
                    {"op": "replace", "path": "active", "value": false},
                    {"op": "replace", "path": "active", "value": true}
                ]),
            )
            .await,
        400,
        None,
    );
    assert_eq!(status(&client).await, Some(UserStatus::Enabled));

    // PUT with active false disables as well.
    let mut replaced = user("leaver", "okta-leaver");
    replaced["active"] = json!(false);
    replaced["title"] = json!("Former engineer");
    let (code, body) = scim
        .call(Method::PUT, &format!("/Users/{user_id}"), Some(&replaced))
        .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["title"], "Former engineer");
    assert_eq!(status(&client).await, Some(UserStatus::Disabled));
}

#[tokio::test]
async fn patch_edits_single_valued_attributes_and_the_one_email() {
    let (server, _sdk) = common::start().await;
    let scim = Scim::of(&server.endpoint_url()).await;
    let user_id = scim.create_user("bob", "okta-bob").await;
    let (code, patched) = scim
        .patch(
            &format!("/Users/{user_id}"),
            &json!([
                {"op": "replace", "path": "name.familyName", "value": "Builder"},
                {"op": "add", "path": "title", "value": "Engineer"},
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "bob.builder@example.com"},
                {"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Platform"},
                {"op": "remove", "path": "displayName"}
            ]),
        )
        .await;
    assert_eq!(code, 200, "{patched}");
    assert_eq!(patched["name"]["familyName"], "Builder");
    assert_eq!(patched["title"], "Engineer");
    assert_eq!(
        patched["emails"],
        json!([{"value": "bob.builder@example.com", "type": "work", "primary": true}])
    );
    assert_eq!(
        patched["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Platform"
    );
    assert!(patched.get("displayName").is_none());
    // PatchUser does not ask for a primary email (only CreateUser and PutUser do).
    let (code, patched) = scim
        .patch(
            &format!("/Users/{user_id}"),
            &json!([{"op": "replace", "path": "emails", "value": [{"value": "b@example.com"}]}]),
        )
        .await;
    assert_eq!(code, 200, "{patched}");
    assert_eq!(patched["emails"], json!([{"value": "b@example.com"}]));
    // The whole extension at once (a client may repeat its schema inside it).
    let (code, patched) = scim
        .patch(
            &format!("/Users/{user_id}"),
            &json!([{
                "op": "replace",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                "value": {
                    "schemas": ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                    "costCenter": "CC-7",
                    "manager": {"value": "boss-id"}
                }
            }]),
        )
        .await;
    assert_eq!(code, 200, "{patched}");
    let enterprise = &patched["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"];
    assert_eq!(enterprise["costCenter"], "CC-7");
    assert_eq!(enterprise["department"], "Platform");
    assert_eq!(enterprise["manager"], json!({"value": "boss-id"}));
    assert!(enterprise.get("schemas").is_none());
    for operations in [
        json!([{"op": "replace", "path": "password", "value": "x"}]),
        json!([{"op": "remove", "path": "userName"}]),
        json!([{"op": "remove"}]),
        json!([{"op": "add", "path": "title"}]),
        json!([{"op": "move", "path": "title", "value": "x"}]),
        json!([{"op": "add", "path": "emails", "value": [{"value": "a@example.com", "primary": true}, {"value": "b@example.com"}]}]),
    ] {
        let answer = scim.patch(&format!("/Users/{user_id}"), &operations).await;
        assert_eq!(answer.0, 400, "{operations}: {}", answer.1);
    }
    assert_error(
        &scim
            .patch(
                "/Users/no-such-user",
                &json!([{"op": "replace", "path": "title", "value": "x"}]),
            )
            .await,
        404,
        None,
    );
}

#[tokio::test]
async fn deleting_a_user_drops_their_memberships_and_leaves_their_assignments_orphaned() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let scim = Scim::of(&endpoint).await;
    let (client, store) = identity_store(&endpoint, &sdk).await;
    let user_id = scim.create_user("gone", "okta-gone").await;
    let (_, group) = scim
        .post(
            "/Groups",
            &json!({"displayName": "Team", "members": [{"value": user_id}]}),
        )
        .await;
    let group_id = group["id"].as_str().unwrap().to_owned();
    let seeded = common::seed(
        &endpoint,
        &json!({
            "accounts": [{"name": "dev", "email": "dev@example.com"}],
            "permission_sets": [{"name": "Developer"}],
            "assignments": [{"account_name": "dev", "permission_set": "Developer", "user": "gone"}]
        }),
    )
    .await;
    let account_id = seeded["accounts"]["dev"].as_str().unwrap().to_owned();
    let permission_set_arn = seeded["permission_sets"]["Developer"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        client
            .list_group_memberships_for_member()
            .identity_store_id(&store)
            .member_id(aws_sdk_identitystore::types::MemberId::UserId(
                user_id.clone()
            ))
            .send()
            .await
            .unwrap()
            .group_memberships()
            .len(),
        1
    );

    assert_eq!(scim.delete(&format!("/Users/{user_id}")).await.0, 204);
    assert!(
        client
            .describe_user()
            .identity_store_id(&store)
            .user_id(&user_id)
            .send()
            .await
            .is_err()
    );
    assert!(
        client
            .list_group_memberships()
            .identity_store_id(&store)
            .group_id(&group_id)
            .send()
            .await
            .unwrap()
            .group_memberships()
            .is_empty()
    );
    let sso_admin = aws_sdk_ssoadmin::Client::new(&sdk);
    let instance_arn = common::control_get(&endpoint, "health").await["instance_arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let assignments = sso_admin
        .list_account_assignments()
        .instance_arn(&instance_arn)
        .account_id(&account_id)
        .permission_set_arn(&permission_set_arn)
        .send()
        .await
        .unwrap();
    let orphan = &assignments.account_assignments()[0];
    assert_eq!(orphan.principal_id(), Some(user_id.as_str()));
}

#[tokio::test]
async fn lists_page_by_count_and_cursor() {
    let (server, _sdk) = common::start().await;
    let scim = Scim::of(&server.endpoint_url()).await;
    for name in ["u1", "u2", "u3"] {
        scim.create_user(name, &format!("x-{name}")).await;
    }
    let (_, plain) = scim.get("/Users?count=2").await;
    assert_eq!(plain["totalResults"], 3);
    assert_eq!(plain["itemsPerPage"], 2);
    assert_eq!(plain["startIndex"], 1);
    assert!(plain.get("nextCursor").is_none());

    let (_, first) = scim.get("/Users?count=2&cursor=").await;
    assert_eq!(first["itemsPerPage"], 2);
    assert!(first.get("totalResults").is_none());
    let cursor = first["nextCursor"].as_str().expect("a next cursor");
    let (_, second) = scim
        .get(&format!("/Users?count=2&cursor={}", urlencode(cursor)))
        .await;
    assert_eq!(second["itemsPerPage"], 1);
    assert!(second.get("nextCursor").is_none());
    let mut ids: Vec<Value> = first["Resources"].as_array().unwrap().clone();
    ids.extend(second["Resources"].as_array().unwrap().iter().cloned());
    assert_eq!(ids.len(), 3);
    assert_error(
        &scim.get("/Users?cursor=%21%21").await,
        400,
        Some("invalidValue"),
    );
    // A cursor belongs to its filter; the guide answers a changed filter with a 400.
    let filtered = format!(
        "/Users?count=2&cursor={}&filter={}",
        urlencode(cursor),
        urlencode(r#"userName eq "u1""#)
    );
    assert_error(&scim.get(&filtered).await, 400, Some("invalidValue"));
    // Timestamps are whole seconds in UTC.
    let created = first["Resources"][0]["meta"]["created"].as_str().unwrap();
    assert!(
        created.len() == "2020-07-22T22:32:58Z".len() && created.ends_with('Z'),
        "{created}"
    );
}

#[tokio::test]
async fn discovery_endpoints_describe_what_identity_center_supports() {
    let (server, _sdk) = common::start().await;
    let scim = Scim::of(&server.endpoint_url()).await;
    let (status, config) = scim.get("/ServiceProviderConfig").await;
    assert_eq!(status, 200);
    assert_eq!(config["patch"]["supported"], true);
    assert_eq!(config["bulk"]["supported"], false);
    assert_eq!(
        config["authenticationSchemes"][0]["type"],
        "oauthbearertoken"
    );
    let (_, schemas) = scim.get("/Schemas").await;
    assert_eq!(schemas["totalResults"], 3);
    let (status, user_schema) = scim
        .get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
        .await;
    assert_eq!(status, 200);
    assert_eq!(user_schema["name"], "User");
    let (_, resource_types) = scim.get("/ResourceTypes").await;
    let endpoints: Vec<&str> = resource_types["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|resource_type| resource_type["endpoint"].as_str())
        .collect();
    assert_eq!(endpoints, ["/Users", "/Groups"]);
    let user_type = &resource_types["Resources"][0];
    assert_eq!(user_type["schemaExtensions"][0]["required"], true);
    assert_eq!(
        user_type["meta"]["location"],
        format!("{}/ResourceTypes/User", scim.base)
    );
    assert_eq!(
        user_schema["meta"]["location"],
        format!(
            "{}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
            scim.base
        )
    );
}

#[tokio::test]
async fn the_token_and_tenant_survive_a_restart() {
    let state = tempfile::tempdir().unwrap();
    let config = monban_emulator::Config {
        state_dir: Some(state.path().to_owned()),
        ..monban_emulator::Config::default()
    };
    let (server, _sdk) = common::start_with(config.clone()).await;
    let before = Scim::of(&server.endpoint_url()).await;
    let user_id = before.create_user("kept", "okta-kept").await;
    let path = before
        .base
        .split_once("/scim")
        .unwrap()
        .0
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    server.shutdown().await.unwrap();

    let (server, _sdk) = common::start_with(config).await;
    let after = Scim::of(&server.endpoint_url()).await;
    assert_eq!(after.token, before.token);
    assert!(after.base.contains(&format!("/{path}/scim/v2")));
    assert_eq!(after.get(&format!("/Users/{user_id}")).await.0, 200);
    server.shutdown().await.unwrap();
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn injected_faults_refuse_a_scim_request_before_it_changes_anything() {
    let (server, _sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let scim = Scim::of(&endpoint).await;
    let user_id = scim.create_user("carol", "okta-carol").await;
    let (status, answer) = common::control_post(
        &endpoint,
        "faults",
        &json!({"operations": {"PatchUser": {"server_error": 1.0}, "ListUsers": {"throttle": 1.0}}}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_error(
        &scim
            .patch(
                &format!("/Users/{user_id}"),
                &json!([{"op": "replace", "path": "active", "value": false}]),
            )
            .await,
        500,
        None,
    );
    assert_error(&scim.get("/Users").await, 429, None);
    assert_eq!(
        scim.get(&format!("/Users/{user_id}")).await.1["active"],
        true
    );
    let log = common::control_get(&endpoint, "requests").await;
    let patch = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["operation"] == "PatchUser")
        .expect("the PATCH is logged");
    assert_eq!(patch["service"], "scim");
    assert_eq!(patch["injected"], "server-error");
    assert_eq!(patch["error_code"], "InternalServerException");
}
