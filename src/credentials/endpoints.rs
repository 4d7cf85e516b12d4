//! Where STS, RAM, ResourceManager and the metadata service are (CLI.md "Live RAM"): the
//! `--sts-endpoint`, `--ram-endpoint`, `--imds-endpoint` flags, else the `RAMGUARD_*_ENDPOINT`
//! variables, else the public endpoints. `http://` is accepted only for loopback addresses
//! (the default metadata service, plain HTTP on a link-local address, is the one exception).

use crate::dbs::{Endpoint, EndpointError};

pub const ENV_STS_ENDPOINT: &str = "RAMGUARD_STS_ENDPOINT";
pub const ENV_RAM_ENDPOINT: &str = "RAMGUARD_RAM_ENDPOINT";
pub const ENV_IMDS_ENDPOINT: &str = "RAMGUARD_IMDS_ENDPOINT";
/// ResourceManager (resource-group attachments, control policies); defaults to the RAM
/// override when that is given, so one private gateway or test server can answer both.
pub const ENV_RESOURCEMANAGER_ENDPOINT: &str = "RAMGUARD_RESOURCEMANAGER_ENDPOINT";
/// The official libraries' switches for the STS endpoint: a region, and its VPC endpoint.
pub const ENV_STS_REGION: &str = "ALIBABA_CLOUD_STS_REGION";
pub const ENV_VPC_ENDPOINT_ENABLED: &str = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";

/// The flags as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub sts: Option<String>,
    pub ram: Option<String>,
    pub imds: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub sts: Endpoint,
    pub ram: Endpoint,
    pub resource_manager: Endpoint,
    pub imds: Endpoint,
}

impl Default for Endpoints {
    fn default() -> Self {
        Endpoints {
            sts: Endpoint::https(&sts_host(None, false)),
            ram: Endpoint::https("ram.aliyuncs.com"),
            resource_manager: Endpoint::https("resourcemanager.aliyuncs.com"),
            imds: Endpoint::metadata_service(),
        }
    }
}

/// `sts.aliyuncs.com`, `sts.<region>.aliyuncs.com` or the VPC `sts-vpc.<region>.aliyuncs.com`.
pub fn sts_host(region: Option<&str>, vpc: bool) -> String {
    match (region, vpc) {
        (Some(r), true) => format!("sts-vpc.{r}.aliyuncs.com"),
        (Some(r), false) => format!("sts.{r}.aliyuncs.com"),
        (None, _) => "sts.aliyuncs.com".to_string(),
    }
}

impl Endpoints {
    /// Flags win over the environment, which wins over the defaults.
    pub fn resolve(
        flags: &Overrides,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Endpoints, EndpointError> {
        let pick = |flag: &Option<String>, name: &str| {
            flag.clone()
                .filter(|v| !v.trim().is_empty())
                .or_else(|| super::var(env, name))
        };
        let mut out = Endpoints::default();
        let region = super::var(env, ENV_STS_REGION);
        let vpc = super::switch_on(env, ENV_VPC_ENDPOINT_ENABLED);
        out.sts = Endpoint::https(&sts_host(region.as_deref(), vpc));
        if let Some(url) = pick(&flags.sts, ENV_STS_ENDPOINT) {
            out.sts = Endpoint::parse(&url)?;
        }
        let ram = pick(&flags.ram, ENV_RAM_ENDPOINT);
        if let Some(url) = &ram {
            out.ram = Endpoint::parse(url)?;
        }
        if let Some(url) = super::var(env, ENV_RESOURCEMANAGER_ENDPOINT).or(ram) {
            out.resource_manager = Endpoint::parse(&url)?;
        }
        if let Some(url) = pick(&flags.imds, ENV_IMDS_ENDPOINT) {
            out.imds = Endpoint::parse(&url)?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |n| {
            pairs
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn defaults_flags_environment_and_vpc() {
        let d = Endpoints::resolve(&Overrides::default(), &env(&[])).unwrap();
        assert_eq!(d.sts.base_url(), "https://sts.aliyuncs.com");
        assert_eq!(d.ram.base_url(), "https://ram.aliyuncs.com");
        assert_eq!(d.imds.base_url(), "http://100.100.100.200");
        let vpc = Endpoints::resolve(
            &Overrides::default(),
            &env(&[
                (ENV_STS_REGION, "cn-hangzhou"),
                (ENV_VPC_ENDPOINT_ENABLED, "true"),
            ]),
        )
        .unwrap();
        assert_eq!(vpc.sts.host(), "sts-vpc.cn-hangzhou.aliyuncs.com");
        let e = env(&[
            (ENV_STS_ENDPOINT, "http://127.0.0.1:1"),
            (ENV_RAM_ENDPOINT, "http://127.0.0.1:2"),
            (ENV_IMDS_ENDPOINT, "http://127.0.0.1:3"),
        ]);
        let flags = Overrides {
            sts: Some("http://127.0.0.1:9".into()),
            ..Overrides::default()
        };
        let r = Endpoints::resolve(&flags, &e).unwrap();
        assert_eq!(r.sts.host(), "127.0.0.1:9");
        assert_eq!(r.ram.host(), "127.0.0.1:2");
        assert_eq!(r.resource_manager.host(), "127.0.0.1:2");
        assert_eq!(r.imds.host(), "127.0.0.1:3");
        // Plain HTTP off the loopback is refused, for the metadata service too.
        let bad = Overrides {
            imds: Some("http://100.100.100.200".into()),
            ..Overrides::default()
        };
        assert!(Endpoints::resolve(&bad, &env(&[])).is_err());
    }
}
