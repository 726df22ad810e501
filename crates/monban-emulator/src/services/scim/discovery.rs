//! The discovery endpoints Identity Center serves: `/ServiceProviderConfig` (its document as
//! the SCIM developer guide's ServiceProviderConfig example shows it), `/Schemas` and
//! `/Schemas/{id}` (ListSchemas, GetSchema) and `/ResourceTypes` (ListResourceTypes).
//!
//! The schemas (`schemas.json`) are RFC 7643 §8.7's definitions of User, Group and the
//! enterprise extension, cut down to the attributes the guide's "Limitations from SCIM
//! specification" tables mark supported, with the attributes CreateUser requires
//! (`userName`, `displayName`, `name.givenName`, `name.familyName`) marked required.

use std::sync::LazyLock;

use serde_json::{Value, json};

use super::ENTERPRISE_SCHEMA;
use super::error::ScimError;
use super::groups::GROUP_SCHEMA;
use super::list::LIST_SCHEMA;
use super::users::USER_SCHEMA;

/// The three schema documents (User, Group, EnterpriseUser).
static SCHEMAS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    // The file is part of the crate; a parse failure is caught by the unit test below.
    serde_json::from_str(include_str!("schemas.json")).unwrap_or_default()
});

/// GET /ServiceProviderConfig.
#[must_use]
pub fn service_provider_config() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source-idp.html",
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication scheme using the OAuth Bearer Token Standard",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "documentationUri": "https://docs.aws.amazon.com/singlesignon/latest/userguide/provision-automatically.html",
            "primary": true,
        }],
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 1, "maxPayloadSize": 1_048_576 },
        "filter": { "supported": true, "maxResults": super::list::MAX_PAGE },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": false },
    })
}

/// A schema document with its absolute `meta.location` under `base_url`.
fn located(schema: &Value, base_url: &str) -> Value {
    let mut schema = schema.clone();
    let id = schema["id"].as_str().unwrap_or_default().to_owned();
    schema["meta"] = json!({
        "resourceType": "Schema",
        "location": format!("{base_url}/Schemas/{id}"),
    });
    schema
}

/// GET /Schemas.
#[must_use]
pub fn list_schemas(base_url: &str) -> Value {
    let schemas: Vec<Value> = SCHEMAS
        .iter()
        .map(|schema| located(schema, base_url))
        .collect();
    json!({
        "totalResults": schemas.len(),
        "itemsPerPage": schemas.len(),
        "startIndex": 1,
        "schemas": [LIST_SCHEMA],
        "Resources": schemas,
    })
}

/// GET /Schemas/{id}.
pub fn get_schema(base_url: &str, id: &str) -> Result<Value, ScimError> {
    SCHEMAS
        .iter()
        .find(|schema| schema["id"].as_str() == Some(id))
        .map(|schema| located(schema, base_url))
        .ok_or_else(|| ScimError::not_found("Schema", id))
}

/// GET /ResourceTypes, as the guide's ListResourceTypes example shows it (the enterprise
/// extension marked required, absolute locations).
#[must_use]
pub fn list_resource_types(base_url: &str) -> Value {
    let resource_types = [
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "User Account",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{ "schema": ENTERPRISE_SCHEMA, "required": true }],
            "meta": {
                "resourceType": "ResourceType",
                "location": format!("{base_url}/ResourceTypes/User"),
            },
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "Group",
            "schema": GROUP_SCHEMA,
            "meta": {
                "resourceType": "ResourceType",
                "location": format!("{base_url}/ResourceTypes/Group"),
            },
        }),
    ];
    json!({
        "totalResults": resource_types.len(),
        "itemsPerPage": resource_types.len(),
        "startIndex": 1,
        "schemas": [LIST_SCHEMA],
        "Resources": resource_types,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_file_holds_user_group_and_enterprise() {
        let ids: Vec<&str> = SCHEMAS
            .iter()
            .filter_map(|schema| schema["id"].as_str())
            .collect();
        assert_eq!(ids, [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_SCHEMA]);
        let user_attributes: Vec<&str> = SCHEMAS[0]["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|attribute| attribute["name"].as_str())
            .collect();
        assert!(user_attributes.contains(&"active"));
        assert!(!user_attributes.contains(&"password"));
        assert!(!user_attributes.contains(&"photos"));
    }
}
