//! The shape of a RAM denial: `AccessDeniedDetail` and the 403 body that carries it
//! (spec `dbs-api.md` §5, `CLI.md` `preflight`).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// RAM's explanation of a denial. Serialised in PascalCase, in this field order, with absent
/// fields left out. Parsing is lenient because products differ: the value may be an object or a
/// JSON string holding one, keys may be in any case (`noPermissionType`, `NOPERMISSIONTYPE`),
/// `encodedDiagnosticInfo` means `EncodedDiagnosticMessage`, and numbers (an owner ID) are
/// read as their text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessDeniedDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_action: Option<String>,
    /// Not returned by every product; the preflight fills it in with the rendered ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_resource: Option<String>,
    /// `ImplicitDeny` or `ExplicitDeny`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_permission_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_principal_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_principal_owner_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_principal_display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoded_diagnostic_message: Option<String>,
}

impl AccessDeniedDetail {
    /// Reads a detail from a JSON value: an object, or a string that holds a JSON object.
    /// `None` for anything else (null, an empty string, a string that is not an object).
    pub fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Object(map) => Some(Self::from_map(map)),
            Value::String(text) => match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(map)) => Some(Self::from_map(&map)),
                _ => None,
            },
            _ => None,
        }
    }

    fn from_map(map: &Map<String, Value>) -> Self {
        let mut d = AccessDeniedDetail::default();
        for (key, value) in map {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            let slot = match normalize_key(key).as_str() {
                "authaction" => &mut d.auth_action,
                "authresource" => &mut d.auth_resource,
                "authprincipaltype" => &mut d.auth_principal_type,
                "authprincipalownerid" => &mut d.auth_principal_owner_id,
                "authprincipaldisplayname" => &mut d.auth_principal_display_name,
                "policytype" => &mut d.policy_type,
                "nopermissiontype" => &mut d.no_permission_type,
                "encodeddiagnosticmessage" | "encodeddiagnosticinfo" => {
                    &mut d.encoded_diagnostic_message
                }
                _ => continue,
            };
            *slot = Some(text);
        }
        d
    }
}

/// Lowercase, without `_` and `-`, so every spelling of a key compares equal.
pub(crate) fn normalize_key(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl<'de> Deserialize<'de> for AccessDeniedDetail {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        AccessDeniedDetail::from_value(&value).ok_or_else(|| {
            D::Error::custom("AccessDeniedDetail must be an object or a JSON string holding one")
        })
    }
}

/// The body of a DBS 403, in the field order of the API's own responses. The preflight prints a
/// predicted one instead of calling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForbiddenBody {
    pub http_status_code: u16,
    pub request_id: String,
    pub err_code: String,
    pub err_message: String,
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_denied_detail: Option<AccessDeniedDetail>,
}

/// `ramguard-preflight-<id>`, in one allocation.
fn predicted_request_id(id: &str) -> String {
    const PREFIX: &str = "ramguard-preflight-";
    let mut text = String::with_capacity(PREFIX.len() + id.len());
    text.push_str(PREFIX);
    text.push_str(id);
    text
}

impl ForbiddenBody {
    /// The body the preflight predicts: `403 Request.Forbidden "Have no Permissions"` with
    /// `RequestId` `ramguard-preflight-<id>`.
    pub fn predicted(id: &str, detail: AccessDeniedDetail) -> Self {
        ForbiddenBody {
            http_status_code: 403,
            request_id: predicted_request_id(id),
            err_code: "Request.Forbidden".to_string(),
            err_message: "Have no Permissions".to_string(),
            success: false,
            access_denied_detail: Some(detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_object_and_string_and_any_key_case() {
        let object = json!({
            "PolicyType": "AccountLevelIdentityBasedPolicy",
            "AuthPrincipalOwnerId": 1234567890123456_u64,
            "AuthPrincipalType": "SubUser",
            "AuthPrincipalDisplayName": "dbs-operator",
            "NoPermissionType": "ImplicitDeny",
            "AuthAction": "dbs:StartBackupPlan",
            "EncodedDiagnosticMessage": "AQEAAAAA...",
            "Unknown": {"x": 1}
        });
        let a = AccessDeniedDetail::from_value(&object).unwrap();
        assert_eq!(a.no_permission_type.as_deref(), Some("ImplicitDeny"));
        assert_eq!(
            a.auth_principal_owner_id.as_deref(),
            Some("1234567890123456")
        );

        let as_string = Value::String(object.to_string());
        assert_eq!(AccessDeniedDetail::from_value(&as_string), Some(a.clone()));

        let camel = json!({"noPermissionType": "ExplicitDeny", "authAction": "dbs:X",
                           "encodedDiagnosticInfo": "QQ==", "NOPERMISSIONTYPE": "ExplicitDeny"});
        let c: AccessDeniedDetail = serde_json::from_value(camel).unwrap();
        assert_eq!(c.no_permission_type.as_deref(), Some("ExplicitDeny"));
        assert_eq!(c.auth_action.as_deref(), Some("dbs:X"));
        assert_eq!(c.encoded_diagnostic_message.as_deref(), Some("QQ=="));

        assert_eq!(AccessDeniedDetail::from_value(&json!("not json")), None);
        assert_eq!(AccessDeniedDetail::from_value(&Value::Null), None);
        assert!(serde_json::from_value::<AccessDeniedDetail>(json!(5)).is_err());
    }

    #[test]
    fn serialises_pascal_case_in_order_without_nones() {
        let d = AccessDeniedDetail {
            encoded_diagnostic_message: Some("e".into()),
            no_permission_type: Some("ImplicitDeny".into()),
            auth_action: Some("dbs:StartBackupPlan".into()),
            auth_resource: Some("acs:dbs:cn-hangzhou:1:backupplan/p".into()),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"AuthAction":"dbs:StartBackupPlan","AuthResource":"acs:dbs:cn-hangzhou:1:backupplan/p","NoPermissionType":"ImplicitDeny","EncodedDiagnosticMessage":"e"}"#
        );
    }

    #[test]
    /// The field order of CLI.md's example body.
    fn predicted_forbidden_body_has_the_api_field_order() {
        let body = ForbiddenBody::predicted(
            "abc",
            AccessDeniedDetail {
                auth_action: Some("dbs:StartBackupPlan".into()),
                no_permission_type: Some("ImplicitDeny".into()),
                policy_type: Some("AccountLevelIdentityBasedPolicy".into()),
                ..Default::default()
            },
        );
        let text = serde_json::to_string(&body).unwrap();
        assert_eq!(
            text,
            r#"{"HttpStatusCode":403,"RequestId":"ramguard-preflight-abc","ErrCode":"Request.Forbidden","ErrMessage":"Have no Permissions","Success":false,"AccessDeniedDetail":{"AuthAction":"dbs:StartBackupPlan","NoPermissionType":"ImplicitDeny","PolicyType":"AccountLevelIdentityBasedPolicy"}}"#
        );
        let back: ForbiddenBody = serde_json::from_str(&text).unwrap();
        assert_eq!(back, body);
    }
}
