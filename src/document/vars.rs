//! Values for a host's unknown parts: `--var NAME=VALUE`, a `.tfvars` file, ROS `--parameters`.

use std::collections::BTreeMap;

/// Known values by name. A Terraform `var.NAME` is found under `NAME`; any other unknown part
/// (`local.x`, `ALIYUN::TenantId`, a ROS parameter) under the text it is written as.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vars {
    values: BTreeMap<String, String>,
}

impl Vars {
    pub fn new() -> Vars {
        Vars::default()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// The value for an unknown part as written (`var.account_id`, `BucketName`).
    pub fn get(&self, expr: &str) -> Option<&str> {
        let expr = expr.trim();
        self.values
            .get(expr)
            .or_else(|| expr.strip_prefix("var.").and_then(|n| self.values.get(n)))
            .map(String::as_str)
    }

    /// Reads a `.tfvars` file (`name = "value"` lines; numbers and booleans as their text) or a
    /// parameters file (a JSON object, or a YAML map, of names to values).
    pub fn load_file(&mut self, path: &std::path::Path) -> Result<(), String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        let shown = path.display();
        if text.trim_start().starts_with('{') {
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format!("`{shown}` is not a JSON object: {e}"))?;
            let serde_json::Value::Object(map) = value else {
                return Err(format!("`{shown}` is not a JSON object of names to values"));
            };
            // ROS parameter files may be `{"Parameters": {...}}` or a list of
            // `{"ParameterKey", "ParameterValue"}` pairs; plain maps are the common case.
            let map = match map.get("Parameters") {
                Some(serde_json::Value::Object(inner)) => inner.clone(),
                _ => map,
            };
            for (k, v) in map {
                self.set(k, scalar_text(&v));
            }
            return Ok(());
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml") {
            for (k, v) in super::yaml::flat_map(&text).map_err(|e| format!("`{shown}`: {e}"))? {
                self.set(k, v);
            }
            return Ok(());
        }
        for (k, v) in super::terraform::tfvars(&text).map_err(|e| format!("`{shown}`: {e}"))? {
            self.set(k, v);
        }
        Ok(())
    }
}

fn scalar_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_prefix_is_optional() {
        let mut v = Vars::new();
        v.set("account_id", "123");
        v.set("ALIYUN::TenantId", "456");
        assert_eq!(v.get("var.account_id"), Some("123"));
        assert_eq!(v.get(" account_id "), Some("123"));
        assert_eq!(v.get("ALIYUN::TenantId"), Some("456"));
        assert_eq!(v.get("local.x"), None);
    }
}
