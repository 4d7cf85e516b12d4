//! Alibaba Cloud credentials: environment variables first, then the aliyun CLI config file
//! (spec `dbs-api.md` §8, `CLI.md` `call`).

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
pub const ENV_CONFIG_FILE: &str = "ALIBABA_CLOUD_CONFIG_FILE";
pub const ENV_PROFILE: &str = "ALIBABA_CLOUD_PROFILE";
pub const ENV_CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";

/// A secret string. `Debug` and `Display` print `***`; it implements no serde trait, so it
/// cannot end up in JSON output by accident. Read it with [`Secret::expose`]. Its memory is
/// overwritten when it is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value, for signing. Never format it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// An AccessKey pair, with an STS token for temporary credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Not secret: it is sent in the clear in every `Authorization` header.
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub security_token: Option<Secret>,
}

/// Why no usable credentials were found. No variant holds a secret.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error(
        "no Alibaba Cloud credentials: set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET}, \
         or configure a profile with `aliyun configure` ({detail})"
    )]
    Missing {
        /// The config file that was looked for, if any.
        config_path: Option<PathBuf>,
        /// What was tried, for the message.
        detail: String,
    },

    #[error(
        "{set} is set but {missing} is not: set both, or neither to use the aliyun CLI config file"
    )]
    IncompleteEnv {
        set: &'static str,
        missing: &'static str,
    },

    #[error("cannot read the aliyun CLI config file {}: {source}", .path.display())]
    ConfigRead {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("the aliyun CLI config file {} is not valid: {reason}", .path.display())]
    ConfigInvalid { path: PathBuf, reason: String },

    #[error(
        "profile `{profile}` not found in {} (profiles: {})",
        .path.display(),
        if .available.is_empty() { "none".to_string() } else { .available.join(", ") }
    )]
    ProfileNotFound {
        profile: String,
        path: PathBuf,
        available: Vec<String>,
    },

    #[error(
        "profile `{profile}` in {} uses mode `{mode}`, which ramguard does not support \
         (supported: AK, StsToken); use such a profile or set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET}",
        .path.display()
    )]
    UnsupportedMode {
        profile: String,
        mode: String,
        path: PathBuf,
    },

    /// A value that cannot travel in an HTTP header (or be signed as it was meant). The message
    /// names where the value came from, never the value.
    #[error(
        "{origin} {problem}; fix the value where it is set (it is a secret, so it is not shown)"
    )]
    InvalidValue { origin: String, problem: String },

    #[error("profile `{profile}` in {} has no `{field}`", .path.display())]
    ProfileIncomplete {
        profile: String,
        field: &'static str,
        path: PathBuf,
    },
}

impl Credentials {
    /// Long-term AccessKey credentials.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            access_key_secret: Secret::new(access_key_secret),
            security_token: None,
        }
    }

    /// The same credentials with an STS security token.
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(Secret::new(token));
        self
    }

    /// Checks that every value can be sent: visible ASCII only, no whitespace or control
    /// character (a trailing `\r` from a CRLF `.env` file is the usual culprit). Each `*_origin`
    /// names where a value came from, for the error; no error holds a value.
    pub fn check(
        &self,
        id_origin: impl FnOnce() -> String,
        secret_origin: impl FnOnce() -> String,
        token_origin: impl FnOnce() -> String,
    ) -> Result<(), CredentialsError> {
        check_value(&self.access_key_id, id_origin)?;
        check_value(self.access_key_secret.expose(), secret_origin)?;
        if let Some(token) = &self.security_token {
            check_value(token.expose(), token_origin)?;
        }
        Ok(())
    }

    /// Resolves credentials from the process environment and the aliyun CLI config file.
    pub fn from_env_and_config(profile: Option<&str>) -> Result<Self, CredentialsError> {
        Self::resolve(&|name| std::env::var(name).ok(), profile)
    }

    /// Resolves credentials with `env` as the environment (so tests need not touch the process
    /// environment):
    ///
    /// 1. an explicit `profile` (the `--profile` flag) selects that profile of the config file;
    /// 2. else `ALIBABA_CLOUD_ACCESS_KEY_ID` + `ALIBABA_CLOUD_ACCESS_KEY_SECRET`
    ///    (+ `ALIBABA_CLOUD_SECURITY_TOKEN`);
    /// 3. else the config file (`ALIBABA_CLOUD_CONFIG_FILE` or `$HOME/.aliyun/config.json`),
    ///    profile `ALIBABA_CLOUD_PROFILE`, else the file's `current`.
    ///
    /// An explicit `--profile` wins over the environment, as in the aliyun CLI: a user who names
    /// a profile means that profile. Empty variables count as unset.
    pub fn resolve(
        env: &dyn Fn(&str) -> Option<String>,
        profile: Option<&str>,
    ) -> Result<Self, CredentialsError> {
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        let config_path = var(ENV_CONFIG_FILE).map(PathBuf::from).or_else(|| {
            var("HOME")
                .or_else(|| var("USERPROFILE"))
                .map(|home| Path::new(&home).join(".aliyun").join("config.json"))
        });
        let profile = profile.filter(|p| !p.is_empty());

        if let Some(name) = profile {
            let path = config_path.ok_or_else(no_config_path)?;
            return from_config_file(&path, Some(name));
        }

        match (var(ENV_ACCESS_KEY_ID), var(ENV_ACCESS_KEY_SECRET)) {
            (Some(id), Some(secret)) => {
                let mut creds = Credentials::new(id, secret);
                creds.security_token = var(ENV_SECURITY_TOKEN).map(Secret::new);
                creds.check(
                    || ENV_ACCESS_KEY_ID.to_string(),
                    || ENV_ACCESS_KEY_SECRET.to_string(),
                    || ENV_SECURITY_TOKEN.to_string(),
                )?;
                return Ok(creds);
            }
            (Some(_), None) => {
                return Err(CredentialsError::IncompleteEnv {
                    set: ENV_ACCESS_KEY_ID,
                    missing: ENV_ACCESS_KEY_SECRET,
                })
            }
            (None, Some(_)) => {
                return Err(CredentialsError::IncompleteEnv {
                    set: ENV_ACCESS_KEY_SECRET,
                    missing: ENV_ACCESS_KEY_ID,
                })
            }
            (None, None) => {}
        }

        if var(ENV_CLI_PROFILE_DISABLED).is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return Err(CredentialsError::Missing {
                config_path: None,
                detail: format!(
                    "the aliyun CLI config file is disabled by {ENV_CLI_PROFILE_DISABLED}"
                ),
            });
        }
        let path = config_path.ok_or_else(no_config_path)?;
        // No file means no credentials: the message names the variables to set, and which
        // file was looked for (the one ALIBABA_CLOUD_CONFIG_FILE points at, or the default).
        if !path.exists() {
            let detail = if var(ENV_CONFIG_FILE).is_some() {
                format!(
                    "{ENV_CONFIG_FILE} points at {}, which does not exist",
                    path.display()
                )
            } else {
                format!("tried {}: not found", path.display())
            };
            return Err(CredentialsError::Missing {
                detail,
                config_path: Some(path),
            });
        }
        from_config_file(&path, var(ENV_PROFILE).as_deref())
    }
}

/// Credential values are base64 or alphanumeric with `+/=-_.`: anything outside visible ASCII
/// is a copy-paste or line-ending accident, and would break (or be quoted by) the HTTP layer.
fn check_value(value: &str, origin: impl FnOnce() -> String) -> Result<(), CredentialsError> {
    let Some((at, bad)) = value.char_indices().find(|(_, c)| !c.is_ascii_graphic()) else {
        return Ok(());
    };
    let what = match bad {
        '\r' => "a carriage return (\\r)",
        '\n' => "a line feed (\\n)",
        '\t' => "a tab",
        ' ' => "a space",
        c if c.is_control() => "a control character",
        _ => "a non-ASCII character",
    };
    let trailing = value[at..].chars().all(|c| !c.is_ascii_graphic());
    let problem = if trailing && matches!(bad, '\r' | '\n') {
        format!("ends with {what}, as a file with Windows (CRLF) line endings leaves")
    } else if trailing {
        format!("ends with {what}")
    } else if at == 0 {
        format!("starts with {what}")
    } else {
        format!("holds {what}")
    };
    Err(CredentialsError::InvalidValue {
        origin: origin(),
        problem,
    })
}

fn no_config_path() -> CredentialsError {
    CredentialsError::Missing {
        config_path: None,
        detail: format!("no aliyun CLI config file: neither HOME nor {ENV_CONFIG_FILE} is set"),
    }
}

/// Reads one profile of an aliyun CLI `config.json`: `profile`, else the file's `current`.
///
/// The file is parsed as an untyped JSON value and fields are taken by hand, because a typed
/// serde error could quote a field's value, and the values here are secrets.
fn from_config_file(path: &Path, profile: Option<&str>) -> Result<Credentials, CredentialsError> {
    let text =
        crate::source::read_input_text(path, crate::source::MAX_INPUT_BYTES).map_err(|e| {
            CredentialsError::ConfigRead {
                path: path.to_path_buf(),
                source: e.into(),
            }
        })?;
    let invalid = |reason: &str| CredentialsError::ConfigInvalid {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    // serde_json syntax errors give a position only, never the text.
    let doc: Value = serde_json::from_str(&text).map_err(|e| invalid(&e.to_string()))?;
    let current = doc.get("current").and_then(Value::as_str);
    let Some(name) = profile.or(current).filter(|n| !n.is_empty()) else {
        return Err(invalid(
            "no profile selected: `current` is empty and neither --profile nor ALIBABA_CLOUD_PROFILE is set",
        ));
    };
    let profiles = doc
        .get("profiles")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("`profiles` is missing or not an array"))?;
    let Some(entry) = profiles
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
    else {
        return Err(CredentialsError::ProfileNotFound {
            profile: name.to_string(),
            path: path.to_path_buf(),
            available: profiles
                .iter()
                .filter_map(|p| p.get("name").and_then(Value::as_str))
                .map(str::to_string)
                .collect(),
        });
    };

    let field = |key: &'static str| -> Result<String, CredentialsError> {
        entry
            .get(key)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .ok_or_else(|| CredentialsError::ProfileIncomplete {
                profile: name.to_string(),
                field: key,
                path: path.to_path_buf(),
            })
    };
    // Very old CLI configs have no `mode`; they were AccessKey profiles.
    let mode = entry.get("mode").and_then(Value::as_str).unwrap_or("AK");
    let creds = match mode {
        "AK" | "" => Credentials::new(field("access_key_id")?, field("access_key_secret")?),
        "StsToken" => Credentials::new(field("access_key_id")?, field("access_key_secret")?)
            .with_security_token(field("sts_token")?),
        other => {
            return Err(CredentialsError::UnsupportedMode {
                profile: name.to_string(),
                mode: other.to_string(),
                path: path.to_path_buf(),
            })
        }
    };
    let origin =
        |key: &'static str| move || format!("`{key}` of profile `{name}` in {}", path.display());
    creds.check(
        origin("access_key_id"),
        origin("access_key_secret"),
        origin("sts_token"),
    )?;
    Ok(creds)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io::Write;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    fn config_file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    const CONFIG: &str = r#"{
        "current": "dev",
        "profiles": [
            {"name": "dev", "mode": "AK", "access_key_id": "LTAIdev", "access_key_secret": "dev-secret-1"},
            {"name": "sts", "mode": "StsToken", "access_key_id": "STS.id", "access_key_secret": "sts-secret-2", "sts_token": "sts-token-3"},
            {"name": "role", "mode": "RamRoleArn", "access_key_id": "x", "access_key_secret": "y", "ram_role_arn": "acs:ram::1:role/r"},
            {"name": "empty", "mode": "AK", "access_key_id": "x", "access_key_secret": ""}
        ],
        "meta_path": ""
    }"#;

    #[test]
    fn environment_variables_come_first() {
        let env = env_of(&[
            (ENV_ACCESS_KEY_ID, "id"),
            (ENV_ACCESS_KEY_SECRET, "s3cr3t"),
            (ENV_SECURITY_TOKEN, "tok"),
            ("HOME", "/nonexistent"),
        ]);
        let c = Credentials::resolve(&env, None).unwrap();
        assert_eq!(c.access_key_id, "id");
        assert_eq!(c.access_key_secret.expose(), "s3cr3t");
        assert_eq!(c.security_token.as_ref().map(Secret::expose), Some("tok"));
    }

    #[test]
    fn half_set_environment_is_an_error_naming_the_missing_variable() {
        let env = env_of(&[(ENV_ACCESS_KEY_ID, "id")]);
        let msg = Credentials::resolve(&env, None).unwrap_err().to_string();
        assert!(msg.contains(ENV_ACCESS_KEY_SECRET), "{msg}");
    }

    #[test]
    fn missing_everything_names_both_variables_and_the_path() {
        let env = env_of(&[("HOME", "/nonexistent-home")]);
        let msg = Credentials::resolve(&env, None).unwrap_err().to_string();
        assert!(msg.contains(ENV_ACCESS_KEY_ID), "{msg}");
        assert!(msg.contains(ENV_ACCESS_KEY_SECRET), "{msg}");
        assert!(
            msg.contains("/nonexistent-home/.aliyun/config.json"),
            "{msg}"
        );
    }

    #[test]
    fn config_file_current_profile_env_profile_and_explicit_profile() {
        let f = config_file(CONFIG);
        let path = f.path().to_str().unwrap();

        let env = env_of(&[(ENV_CONFIG_FILE, path)]);
        let c = Credentials::resolve(&env, None).unwrap();
        assert_eq!(c.access_key_id, "LTAIdev");
        assert!(c.security_token.is_none());

        let env = env_of(&[(ENV_CONFIG_FILE, path), (ENV_PROFILE, "sts")]);
        let c = Credentials::resolve(&env, None).unwrap();
        assert_eq!(c.access_key_secret.expose(), "sts-secret-2");
        assert_eq!(
            c.security_token.as_ref().map(Secret::expose),
            Some("sts-token-3")
        );

        // --profile beats both ALIBABA_CLOUD_PROFILE and the environment's AccessKey.
        let env = env_of(&[
            (ENV_CONFIG_FILE, path),
            (ENV_PROFILE, "sts"),
            (ENV_ACCESS_KEY_ID, "envid"),
            (ENV_ACCESS_KEY_SECRET, "envsecret"),
        ]);
        let c = Credentials::resolve(&env, Some("dev")).unwrap();
        assert_eq!(c.access_key_id, "LTAIdev");
    }

    #[test]
    fn unsupported_mode_unknown_profile_and_incomplete_profile() {
        let f = config_file(CONFIG);
        let env = env_of(&[(ENV_CONFIG_FILE, f.path().to_str().unwrap())]);

        let msg = Credentials::resolve(&env, Some("role"))
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("`RamRoleArn`") && msg.contains("not support"),
            "{msg}"
        );

        let msg = Credentials::resolve(&env, Some("nope"))
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("`nope`") && msg.contains("dev, sts, role, empty"),
            "{msg}"
        );

        let msg = Credentials::resolve(&env, Some("empty"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("access_key_secret"), "{msg}");
    }

    #[test]
    fn explicit_config_path_must_exist_and_be_json() {
        let env = env_of(&[(ENV_CONFIG_FILE, "/nonexistent/config.json")]);
        let err = Credentials::resolve(&env, None).unwrap_err();
        assert!(matches!(err, CredentialsError::Missing { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains("/nonexistent/config.json"), "{msg}");
        assert!(msg.contains(ENV_CONFIG_FILE), "{msg}");
        assert!(
            msg.contains(ENV_ACCESS_KEY_ID) && msg.contains(ENV_ACCESS_KEY_SECRET),
            "{msg}"
        );

        let f = config_file("{ not json");
        let env = env_of(&[(ENV_CONFIG_FILE, f.path().to_str().unwrap())]);
        assert!(matches!(
            Credentials::resolve(&env, None),
            Err(CredentialsError::ConfigInvalid { .. })
        ));
    }

    #[test]
    fn cli_profile_can_be_disabled() {
        let f = config_file(CONFIG);
        let env = env_of(&[
            (ENV_CONFIG_FILE, f.path().to_str().unwrap()),
            (ENV_CLI_PROFILE_DISABLED, "true"),
        ]);
        assert!(matches!(
            Credentials::resolve(&env, None),
            Err(CredentialsError::Missing { .. })
        ));
    }

    #[test]
    fn a_value_that_cannot_be_a_header_is_an_error_naming_its_origin_not_the_value() {
        let token = "CAIS-token-value-9";
        let env = env_of(&[
            (ENV_ACCESS_KEY_ID, "id"),
            (ENV_ACCESS_KEY_SECRET, "s3cr3t"),
            (ENV_SECURITY_TOKEN, "CAIS-token-value-9\r"),
        ]);
        let err = Credentials::resolve(&env, None).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(ENV_SECURITY_TOKEN), "{msg}");
        assert!(
            msg.contains("carriage return") && msg.contains("CRLF"),
            "{msg}"
        );
        assert!(
            !msg.contains(token) && !format!("{err:?}").contains(token),
            "{msg}"
        );

        for (secret, needle) in [
            ("a b", "holds a space"),
            (" ab", "starts with a space"),
            ("ab\n", "ends with a line feed"),
            ("ab\u{7f}c", "a control character"),
            ("abé", "non-ASCII"),
        ] {
            let env = env_of(&[(ENV_ACCESS_KEY_ID, "id"), (ENV_ACCESS_KEY_SECRET, secret)]);
            let msg = Credentials::resolve(&env, None).unwrap_err().to_string();
            assert!(
                msg.contains(ENV_ACCESS_KEY_SECRET) && msg.contains(needle),
                "{msg}"
            );
        }

        let f = config_file(
            r#"{"current": "s", "profiles": [{"name": "s", "mode": "StsToken",
            "access_key_id": "id", "access_key_secret": "sec", "sts_token": "CAIS-token-value-9\r\n"}]}"#,
        );
        let env = env_of(&[(ENV_CONFIG_FILE, f.path().to_str().unwrap())]);
        let msg = Credentials::resolve(&env, None).unwrap_err().to_string();
        assert!(msg.contains("`sts_token` of profile `s`"), "{msg}");
        assert!(!msg.contains(token), "{msg}");
    }

    #[test]
    fn secrets_are_redacted_in_debug_and_display() {
        let c = Credentials::new("id", "hunter2-secret").with_security_token("tok-secret");
        let dbg = format!("{c:?} {:?} {}", c.access_key_secret, c.access_key_secret);
        assert!(
            !dbg.contains("hunter2-secret") && !dbg.contains("tok-secret"),
            "{dbg}"
        );
        assert!(dbg.contains("***"));
    }
}
