//! The default credential chain, in the order of the official credential libraries
//! (aliyun/credentials-go `DefaultCredentialsProvider`, credentials-java and -python alike):
//!
//! 1. environment: `ALIBABA_CLOUD_ACCESS_KEY_ID` + `ALIBABA_CLOUD_ACCESS_KEY_SECRET`
//!    (+ `ALIBABA_CLOUD_SECURITY_TOKEN`);
//! 2. OIDC (ACK RRSA): `ALIBABA_CLOUD_ROLE_ARN` + `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` +
//!    `ALIBABA_CLOUD_OIDC_TOKEN_FILE` → `sts:AssumeRoleWithOIDC`;
//! 3. the aliyun CLI profile (`~/.aliyun/config.json`, `ALIBABA_CLOUD_CONFIG_FILE`,
//!    `ALIBABA_CLOUD_PROFILE`, off with `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`): modes
//!    `AK`, `StsToken`, `RamRoleArn`, `EcsRamRole`, `OIDC`;
//! 4. the INI file `~/.alibabacloud/credentials` (`ALIBABA_CLOUD_CREDENTIALS_FILE`, section
//!    `ALIBABA_CLOUD_PROFILE` or `default`);
//! 5. the ECS/ECI instance RAM role from the metadata service, unless
//!    `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`.
//!
//! The first provider that gives credentials is kept for later calls (and refreshes itself);
//! when none does, the error lists why each failed. An explicit profile (`--profile`) means
//! that profile alone, as in the aliyun CLI. (The official `ALIBABA_CLOUD_CREDENTIALS_URI`
//! provider is not implemented.)

use std::sync::Mutex;

use super::imds::ENV_ECS_METADATA_DISABLED;
use super::profile::{cli_profile, ini_profile, Net};
use super::sts::OidcRole;
use super::{Credentials, ProvideCredentials, ProviderError, Secret};
use crate::dbs::credentials::{ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN};

type Env = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;
/// One provider of the chain: `Ok(None)` when it does not apply here.
type Found = Result<Option<Box<dyn ProvideCredentials>>, ProviderError>;

pub struct DefaultChain {
    env: Env,
    profile: Option<String>,
    net: Net,
    chosen: Mutex<Option<Box<dyn ProvideCredentials>>>,
}

impl std::fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DefaultChain")
            .field("profile", &self.profile)
            .field("net", &self.net)
            .finish_non_exhaustive()
    }
}

impl DefaultChain {
    /// The chain over the process environment.
    pub fn from_process(profile: Option<String>, net: Net) -> Self {
        Self::new(Box::new(|n| std::env::var(n).ok()), profile, net)
    }

    pub fn new(env: Env, profile: Option<String>, net: Net) -> Self {
        DefaultChain {
            env,
            profile: profile.filter(|p| !p.is_empty()),
            net,
            chosen: Mutex::new(None),
        }
    }

    /// Tries each provider in order; the first that answers is returned with its credentials.
    fn pick(&self) -> Result<(Box<dyn ProvideCredentials>, Credentials), ProviderError> {
        let env = &*self.env;
        if let Some(profile) = &self.profile {
            let p = cli_profile(env, Some(profile), &self.net)?;
            let c = p.credentials()?;
            return Ok((p, c));
        }
        let mut why = Vec::new();
        let mut attempt = |p: Found| match p.and_then(|p| match p {
            Some(p) => p.credentials().map(|c| Some((p, c))),
            None => Ok(None),
        }) {
            Ok(found) => found,
            Err(e) => {
                why.push(e.to_string());
                None
            }
        };
        let steps: [&dyn Fn() -> Found; 5] = [
            &|| environment(env),
            &|| Ok(OidcRole::from_env(env, self.net.sts()).map(|o| self.net.oidc(o))),
            &|| cli_profile(env, None, &self.net).map(Some),
            &|| ini_profile(env, &self.net),
            &|| {
                Ok((!super::switch_on(env, ENV_ECS_METADATA_DISABLED))
                    .then(|| self.net.ecs(None, env)))
            },
        ];
        for step in steps {
            if let Some(found) = attempt(step()) {
                return Ok(found);
            }
        }
        Err(ProviderError::Chain(why))
    }
}

/// The environment's AccessKey, `None` when neither variable is set.
fn environment(env: &dyn Fn(&str) -> Option<String>) -> Found {
    match (
        super::var(env, ENV_ACCESS_KEY_ID),
        super::var(env, ENV_ACCESS_KEY_SECRET),
    ) {
        (Some(id), Some(secret)) => {
            let mut c = Credentials::new(id, secret);
            c.security_token = super::var(env, ENV_SECURITY_TOKEN).map(Secret::new);
            Ok(Some(Box::new(c)))
        }
        (None, None) => Ok(None),
        (Some(_), None) => Err(crate::dbs::CredentialsError::IncompleteEnv {
            set: ENV_ACCESS_KEY_ID,
            missing: ENV_ACCESS_KEY_SECRET,
        }
        .into()),
        (None, Some(_)) => Err(crate::dbs::CredentialsError::IncompleteEnv {
            set: ENV_ACCESS_KEY_SECRET,
            missing: ENV_ACCESS_KEY_ID,
        }
        .into()),
    }
}

impl ProvideCredentials for DefaultChain {
    fn credentials(&self) -> Result<Credentials, ProviderError> {
        let mut chosen = self
            .chosen
            .lock()
            .map_err(|_| ProviderError::failed("default", "credential chain poisoned"))?;
        if let Some(p) = chosen.as_ref() {
            return p.credentials();
        }
        let (p, c) = self.pick()?;
        *chosen = Some(p);
        Ok(c)
    }

    fn name(&self) -> &'static str {
        match self.chosen.lock().ok().as_ref().and_then(|c| c.as_ref()) {
            Some(p) => p.name(),
            None => "default",
        }
    }

    fn session_policy(&self) -> Option<String> {
        self.chosen
            .lock()
            .ok()
            .and_then(|c| c.as_ref().and_then(|p| p.session_policy()))
    }
}
