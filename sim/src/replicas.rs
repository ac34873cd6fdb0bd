//! The deployment: one to [`crate::config::MAX_REPLICAS`] replicas of arrwDB that share one clock, seed and
//! incident schedule and split the traffic (see `traffic` and `incidents`).
//!
//! Replica `i` (from 0) is known by its address, the `instance` label Prometheus gives its
//! scrapes and its traces' `service.instance.id`, and by its host name `arrwdb-<i+1>`
//! (`host.name`). Its model is [`SimConfig::replica`] of the deployment's configuration.

use crate::config::{ConfigError, SimConfig};

/// The address of a replica when none is given (arrwDB's default).
pub const DEFAULT_INSTANCE: &str = "127.0.0.1:8000";

/// The host name of replica `replica_index` (from 0): `arrwdb-1`, `arrwdb-2`, ...
pub fn host_name(replica_index: u32) -> String {
    format!("arrwdb-{}", replica_index + 1)
}

/// The replicas of a deployment, by address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// The shared configuration, as replica 0 of all.
    config: SimConfig,
    instances: Vec<String>,
}

/// One replica of a [`Deployment`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replica<'d> {
    /// Its model: the deployment's configuration for this replica.
    pub config: SimConfig,
    /// Its address (`instance`, `service.instance.id`).
    pub instance: &'d str,
}

impl Replica<'_> {
    /// Its index, from 0.
    pub fn index(&self) -> u32 {
        self.config.replica_index
    }

    /// Its host name (`host.name`).
    pub fn host_name(&self) -> String {
        host_name(self.index())
    }
}

impl Deployment {
    /// The replicas at `instances` (1 to [`crate::config::MAX_REPLICAS`] addresses, distinct), sharing
    /// `config` (whose replica fields are replaced).
    pub fn new(config: SimConfig, instances: Vec<String>) -> Result<Deployment, ConfigError> {
        let count = u32::try_from(instances.len()).unwrap_or(u32::MAX);
        let config = config.replica(0, count);
        config.validate()?;
        if let Some(duplicate) = instances.iter().enumerate().find(|(i, a)| instances[..*i].contains(a)) {
            return Err(ConfigError::DuplicateInstance { instance: duplicate.1.clone() });
        }
        Ok(Deployment { config, instances })
    }

    /// A single replica at [`DEFAULT_INSTANCE`].
    pub fn single(config: SimConfig) -> Deployment {
        Deployment { config: config.replica(0, 1), instances: vec![DEFAULT_INSTANCE.to_owned()] }
    }

    /// The shared configuration (as replica 0).
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// How many replicas.
    pub fn len(&self) -> usize {
        self.instances.len()
    }

    /// Whether there is none (never: a deployment has at least one replica).
    pub fn is_empty(&self) -> bool {
        self.instances.is_empty()
    }

    /// Replica `index`, if there is one.
    pub fn replica(&self, index: usize) -> Option<Replica<'_>> {
        let instance = self.instances.get(index)?;
        Some(Replica { config: self.config.replica(index as u32, self.instances.len() as u32), instance })
    }

    /// Every replica, in order.
    pub fn replicas(&self) -> impl DoubleEndedIterator<Item = Replica<'_>> + '_ {
        (0..self.instances.len()).filter_map(|i| self.replica(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_are_numbered_and_named() {
        let d = Deployment::new(SimConfig::new(0, 1), vec!["a:1".into(), "b:2".into(), "c:3".into()]).unwrap();
        let names: Vec<(u32, String, &str)> = d.replicas().map(|r| (r.index(), r.host_name(), r.instance)).collect();
        assert_eq!(
            names,
            [(0, "arrwdb-1".to_owned(), "a:1"), (1, "arrwdb-2".to_owned(), "b:2"), (2, "arrwdb-3".to_owned(), "c:3")]
        );
        assert!(d.replicas().all(|r| r.config.replica_count == 3));
        assert!(Deployment::new(SimConfig::new(0, 1), vec![]).is_err());
        assert!(Deployment::new(SimConfig::new(0, 1), vec!["a:1".into(), "a:1".into()]).is_err());
        assert!(Deployment::new(SimConfig::new(0, 1), (0..17).map(|i| format!("h:{i}")).collect()).is_err());
        assert_eq!(Deployment::single(SimConfig::new(0, 1)).replica(0).unwrap().instance, DEFAULT_INSTANCE);
    }
}
