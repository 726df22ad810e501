//! The Terraform state, read to resolve what only AWS knows: account ids, permission set
//! ARNs, Identity Store group and user ids, data source results. Both forms are read: the
//! state file itself (`terraform.tfstate`, format version 4) and `terraform show -json`
//! (`values.root_module` with `child_modules`).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use super::ImportError;
use super::value::Value;

/// One resource instance of the state.
#[derive(Debug, Clone)]
pub(crate) struct StateInstance {
    pub resource_type: String,
    pub attributes: Value,
}

/// Resource instances by full address (`module.sso.aws_x.y["key"]`).
#[derive(Debug, Default)]
pub(crate) struct State {
    pub instances: BTreeMap<String, StateInstance>,
}

impl State {
    pub(crate) fn read(path: &Path) -> Result<Self, ImportError> {
        let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let invalid = |reason: String| ImportError::State {
            path: path.to_path_buf(),
            reason,
        };
        let json: Json = serde_json::from_str(&text).map_err(|error| invalid(error.to_string()))?;
        let mut state = Self::default();
        if let Some(resources) = json.get("resources").and_then(Json::as_array) {
            let version = json.get("version").and_then(Json::as_u64);
            if version != Some(4) {
                return Err(invalid(format!(
                    "state format version {} is not supported (Terraform 0.12 and later write version 4)",
                    version.map_or_else(|| "missing".to_owned(), |version| version.to_string())
                )));
            }
            for resource in resources {
                state.add_v4(resource);
            }
        } else if let Some(root) = json.pointer("/values/root_module") {
            state.add_module(root);
        } else if json.get("format_version").is_some() {
            // `terraform show -json` of an empty state has no `values`.
        } else {
            return Err(invalid(
                "neither a state file (`resources`) nor `terraform show -json` output (`values`)"
                    .to_owned(),
            ));
        }
        Ok(state)
    }

    fn add_v4(&mut self, resource: &Json) {
        let field = |name: &str| {
            resource
                .get(name)
                .and_then(Json::as_str)
                .unwrap_or_default()
        };
        let mode = field("mode");
        let (resource_type, name) = (field("type"), field("name"));
        let mut base = String::new();
        if let Some(module) = resource.get("module").and_then(Json::as_str) {
            base.push_str(module);
            base.push('.');
        }
        if mode == "data" {
            base.push_str("data.");
        }
        base.push_str(resource_type);
        base.push('.');
        base.push_str(name);
        for instance in resource
            .get("instances")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let address = match instance.get("index_key") {
                Some(key @ Json::String(_)) => format!("{base}[{key}]"),
                Some(Json::Number(number)) => format!("{base}[{number}]"),
                _ => base.clone(),
            };
            let attributes = instance
                .get("attributes")
                .map_or(Value::Null, Value::from_json);
            self.instances.insert(
                address,
                StateInstance {
                    resource_type: resource_type.to_owned(),
                    attributes,
                },
            );
        }
    }

    fn add_module(&mut self, module: &Json) {
        for resource in module
            .get("resources")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(address), Some(resource_type)) = (
                resource.get("address").and_then(Json::as_str),
                resource.get("type").and_then(Json::as_str),
            ) else {
                continue;
            };
            self.instances.insert(
                address.to_owned(),
                StateInstance {
                    resource_type: resource_type.to_owned(),
                    attributes: resource.get("values").map_or(Value::Null, Value::from_json),
                },
            );
        }
        for child in module
            .get("child_modules")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            self.add_module(child);
        }
    }

    /// One attribute of one instance, when the state has it.
    pub(crate) fn attribute(&self, address: &str, attribute: &str) -> Option<Value> {
        self.instances
            .get(address)?
            .attributes
            .get(attribute)
            .filter(|value| !value.is_null())
            .cloned()
    }

    /// Instances of one resource type.
    pub(crate) fn of_type<'state>(
        &'state self,
        resource_type: &'state str,
    ) -> impl Iterator<Item = (&'state String, &'state StateInstance)> {
        self.instances
            .iter()
            .filter(move |(_, instance)| instance.resource_type == resource_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_forms() {
        let directory = std::env::temp_dir().join(format!("monban-state-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        let v4 = directory.join("v4.json");
        std::fs::write(
            &v4,
            r#"{"version":4,"resources":[{"module":"module.sso","mode":"managed","type":"aws_x","name":"y",
               "instances":[{"index_key":"a","attributes":{"arn":"arn:1"}}]}]}"#,
        )
        .unwrap();
        let state = State::read(&v4).unwrap();
        assert_eq!(
            state.attribute("module.sso.aws_x.y[\"a\"]", "arn"),
            Some(Value::String("arn:1".to_owned()))
        );
        let show = directory.join("show.json");
        std::fs::write(
            &show,
            r#"{"format_version":"1.0","values":{"root_module":{"child_modules":[{"resources":[
               {"address":"module.a.aws_x.y[0]","type":"aws_x","values":{"id":"1"}}]}]}}}"#,
        )
        .unwrap();
        let state = State::read(&show).unwrap();
        assert_eq!(
            state.attribute("module.a.aws_x.y[0]", "id"),
            Some(Value::String("1".to_owned()))
        );
        std::fs::remove_dir_all(directory).unwrap();
    }
}
