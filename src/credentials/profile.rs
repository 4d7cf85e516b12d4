//! Profiles on disk: the aliyun CLI's `~/.aliyun/config.json` (modes `AK`, `StsToken`,
//! `RamRoleArn`, `EcsRamRole`, `OIDC`) and the credentials library's
//! `~/.alibabacloud/credentials` INI file (types `access_key`, `ecs_ram_role`,
//! `ram_role_arn`, `oidc_role_arn`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::imds::EcsRamRole;
use super::sts::{AssumeRole, OidcRole, RamRoleArn, Sts};
use super::{Credentials, CredentialsError, Endpoints, ProvideCredentials, ProviderError};
use super::{Refreshing, DEFAULT_REFRESH_MARGIN};
use crate::dbs::credentials::ENV_PROFILE;
use crate::dbs::credentials::{ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN};
use crate::transport::Transport;

pub const ENV_CREDENTIALS_FILE: &str = "ALIBABA_CLOUD_CREDENTIALS_FILE";

/// What providers built from a profile need to reach the network.
#[derive(Clone)]
pub struct Net {
    pub endpoints: Endpoints,
    pub transport: Arc<dyn Transport>,
    /// For the metadata service, which answers in milliseconds when it is there at all: a
    /// short timeout keeps a machine that is not on ECS from waiting (1 s, like credentials-java).
    pub metadata_transport: Arc<dyn Transport>,
    pub margin: std::time::Duration,
}

impl std::fmt::Debug for Net {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Net")
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

impl Net {
    pub fn new(endpoints: Endpoints, transport: Arc<dyn Transport>) -> Self {
        Net {
            endpoints,
            metadata_transport: Arc::clone(&transport),
            transport,
            margin: DEFAULT_REFRESH_MARGIN,
        }
    }

    pub fn sts(&self) -> Sts {
        Sts::new(self.endpoints.sts.clone(), Arc::clone(&self.transport))
    }

    pub fn ecs(
        &self,
        role_name: Option<String>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Box<dyn ProvideCredentials> {
        let mut p = EcsRamRole::from_env(
            env,
            self.endpoints.imds.clone(),
            Arc::clone(&self.transport),
        );
        if role_name.is_some() {
            p.role_name = role_name;
        }
        Box::new(Refreshing::new(p).with_margin(self.margin))
    }

    pub fn ram_role_arn(
        &self,
        source: Credentials,
        role: AssumeRole,
    ) -> Box<dyn ProvideCredentials> {
        Box::new(
            Refreshing::new(RamRoleArn {
                source: Box::new(source),
                role,
                sts: self.sts(),
            })
            .with_margin(self.margin),
        )
    }

    pub fn oidc(&self, oidc: OidcRole) -> Box<dyn ProvideCredentials> {
        Box::new(Refreshing::new(oidc).with_margin(self.margin))
    }
}

/// The provider for a profile of the aliyun CLI config file: `profile` (the `--profile` flag),
/// else `ALIBABA_CLOUD_PROFILE`, else the file's `current`. The file's location and the
/// `ALIBABA_CLOUD_CLI_PROFILE_DISABLED` switch are [`Credentials::resolve`]'s.
pub fn cli_profile(
    env: &dyn Fn(&str) -> Option<String>,
    profile: Option<&str>,
    net: &Net,
) -> Result<Box<dyn ProvideCredentials>, ProviderError> {
    // The environment's AccessKey is the chain's first provider, not this one's.
    let file_env = |name: &str| match name {
        ENV_ACCESS_KEY_ID | ENV_ACCESS_KEY_SECRET | ENV_SECURITY_TOKEN => None,
        _ => env(name),
    };
    match Credentials::resolve(&file_env, profile) {
        Ok(c) => Ok(Box::new(c)),
        Err(CredentialsError::UnsupportedMode {
            profile,
            mode,
            path,
        }) => token_profile(env, &path, &profile, &mode, net),
        Err(e) => Err(e.into()),
    }
}

/// The modes that exchange something for STS credentials.
fn token_profile(
    env: &dyn Fn(&str) -> Option<String>,
    path: &Path,
    name: &str,
    mode: &str,
    net: &Net,
) -> Result<Box<dyn ProvideCredentials>, ProviderError> {
    let text = std::fs::read_to_string(path).map_err(|source| CredentialsError::ConfigRead {
        path: path.to_path_buf(),
        source,
    })?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| CredentialsError::ConfigInvalid {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let entry = doc
        .get("profiles")
        .and_then(Value::as_array)
        .and_then(|ps| {
            ps.iter()
                .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
        })
        .cloned()
        .unwrap_or(Value::Null);
    let opt = |k: &str| {
        entry
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let need = |k: &'static str| {
        opt(k).ok_or_else(|| CredentialsError::ProfileIncomplete {
            profile: name.to_string(),
            field: k,
            path: path.to_path_buf(),
        })
    };
    let role = |arn: String| {
        let mut role = AssumeRole::new(arn);
        if let Some(s) = opt("ram_session_name") {
            role.session_name = s;
        }
        if let Some(d) = entry.get("expired_seconds").and_then(Value::as_u64) {
            role.duration_seconds = u32::try_from(d).unwrap_or(3600).max(900);
        }
        role.external_id = opt("external_id");
        role
    };
    match mode {
        "RamRoleArn" => {
            let source = Credentials::new(need("access_key_id")?, need("access_key_secret")?);
            let source = match opt("sts_token") {
                Some(t) => source.with_security_token(t),
                None => source,
            };
            Ok(net.ram_role_arn(source, role(need("ram_role_arn")?)))
        }
        "EcsRamRole" => Ok(net.ecs(opt("ram_role_name"), env)),
        "OIDC" => Ok(net.oidc(OidcRole {
            role: role(need("ram_role_arn")?),
            provider_arn: need("oidc_provider_arn")?,
            token_file: PathBuf::from(need("oidc_token_file")?),
            sts: net.sts(),
        })),
        other => Err(CredentialsError::UnsupportedMode {
            profile: name.to_string(),
            mode: other.to_string(),
            path: path.to_path_buf(),
        }
        .into()),
    }
}

/// The section of the INI credentials file (`ALIBABA_CLOUD_CREDENTIALS_FILE`, else
/// `~/.alibabacloud/credentials`) named by `ALIBABA_CLOUD_PROFILE`, else `default`.
/// `Ok(None)` when there is no such file.
pub fn ini_profile(
    env: &dyn Fn(&str) -> Option<String>,
    net: &Net,
) -> Result<Option<Box<dyn ProvideCredentials>>, ProviderError> {
    const NAME: &str = "profile";
    let path = match super::var(env, ENV_CREDENTIALS_FILE) {
        Some(p) => PathBuf::from(p),
        None => match super::var(env, "HOME").or_else(|| super::var(env, "USERPROFILE")) {
            Some(home) => Path::new(&home).join(".alibabacloud").join("credentials"),
            None => return Ok(None),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ProviderError::failed(
                NAME,
                format!("cannot read {}: {e}", path.display()),
            ))
        }
    };
    let section = super::var(env, ENV_PROFILE).unwrap_or_else(|| "default".to_string());
    let keys = ini_section(&text, &section).ok_or_else(|| {
        ProviderError::failed(
            NAME,
            format!("no section [{section}] in {}", path.display()),
        )
    })?;
    let get = |k: &str| {
        keys.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let need = |k: &str| {
        get(k).ok_or_else(|| {
            ProviderError::failed(
                NAME,
                format!("section [{section}] of {} has no `{k}`", path.display()),
            )
        })
    };
    let role = |arn: String| {
        let mut role = AssumeRole::new(arn);
        if let Some(s) = get("role_session_name") {
            role.session_name = s;
        }
        if let Some(d) = get("role_session_expiration").and_then(|d| d.parse().ok()) {
            role.duration_seconds = d;
        }
        role.policy = get("policy");
        role.external_id = get("external_id");
        role
    };
    let kind = need("type")?;
    let provider: Box<dyn ProvideCredentials> = match kind.as_str() {
        "access_key" => Box::new(Credentials::new(
            need("access_key_id")?,
            need("access_key_secret")?,
        )),
        "ecs_ram_role" => net.ecs(get("role_name"), env),
        "ram_role_arn" => net.ram_role_arn(
            Credentials::new(need("access_key_id")?, need("access_key_secret")?),
            role(need("role_arn")?),
        ),
        "oidc_role_arn" => net.oidc(OidcRole {
            role: role(need("role_arn")?),
            provider_arn: need("oidc_provider_arn")?,
            token_file: PathBuf::from(need("oidc_token_file_path")?),
            sts: net.sts(),
        }),
        other => {
            return Err(ProviderError::failed(
                NAME,
                format!(
                    "section [{section}] of {} has type `{other}`, which ramguard does not \
                     support (access_key, ecs_ram_role, ram_role_arn, oidc_role_arn)",
                    path.display()
                ),
            ))
        }
    };
    Ok(Some(provider))
}

/// The `key = value` pairs of one `[section]`; `#` and `;` start comment lines.
fn ini_section(text: &str, section: &str) -> Option<Vec<(String, String)>> {
    let mut current: Option<&str> = None;
    let mut found = false;
    let mut keys = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(name.trim());
            found |= current == Some(section);
            continue;
        }
        if current == Some(section) {
            if let Some((k, v)) = line.split_once('=') {
                keys.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
    }
    found.then_some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_sections_and_comments() {
        let text =
            "# c\n[default]\ntype = access_key\naccess_key_id=a\n; x\n[other]\ntype=ecs_ram_role\n";
        let d = ini_section(text, "default").unwrap();
        assert_eq!(
            d,
            vec![
                ("type".into(), "access_key".into()),
                ("access_key_id".into(), "a".into())
            ]
        );
        assert_eq!(ini_section(text, "other").unwrap().len(), 1);
        assert!(ini_section(text, "none").is_none());
    }
}
