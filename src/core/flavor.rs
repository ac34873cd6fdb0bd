//! Which Prometheus-compatible backend answers the page's queries (`prometheus.flavor`, or
//! found from its build information), and what each one does not serve, in the words a panel
//! shows instead of an empty answer.

use serde_json::Value;

/// A backend that answers Prometheus's HTTP API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Prometheus,
    VictoriaMetrics,
    Thanos,
    Mimir,
    Promxy,
}

impl Flavor {
    pub const ALL: [Flavor; 5] = [
        Flavor::Prometheus,
        Flavor::VictoriaMetrics,
        Flavor::Thanos,
        Flavor::Mimir,
        Flavor::Promxy,
    ];

    /// Its value of `prometheus.flavor`.
    pub fn key(self) -> &'static str {
        match self {
            Flavor::Prometheus => "prometheus",
            Flavor::VictoriaMetrics => "victoriametrics",
            Flavor::Thanos => "thanos",
            Flavor::Mimir => "mimir",
            Flavor::Promxy => "promxy",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Flavor::Prometheus => "Prometheus",
            Flavor::VictoriaMetrics => "VictoriaMetrics",
            Flavor::Thanos => "Thanos",
            Flavor::Mimir => "Grafana Mimir",
            Flavor::Promxy => "Promxy",
        }
    }

    pub fn from_key(key: &str) -> Option<Flavor> {
        Flavor::ALL.into_iter().find(|f| f.key() == key)
    }

    /// Who answered `/api/v1/status/buildinfo`, when it says: Mimir names itself
    /// (`application`), Thanos answers with its own 0.x version, VictoriaMetrics (1.79, as
    /// Debian ships it) with no data at all; any other version is Prometheus's. Promxy passes
    /// on a Prometheus's answer, so it is known only when configured.
    pub fn of_build(answer: &Value) -> Option<Flavor> {
        if answer["status"] != "success" {
            return None;
        }
        let data = answer["data"].as_object()?;
        let application = data.get("application").and_then(Value::as_str).unwrap_or_default();
        match data.get("version").and_then(Value::as_str) {
            _ if application.contains("Mimir") => Some(Flavor::Mimir),
            None if data.is_empty() => Some(Flavor::VictoriaMetrics),
            Some(version) if version.starts_with("0.") => Some(Flavor::Thanos),
            Some(_) => Some(Flavor::Prometheus),
            None => None,
        }
    }

    /// What the alerts panel says when the query backend, asked for the rules, has none.
    pub fn no_rules(self) -> Option<&'static str> {
        match self {
            Flavor::Prometheus => None,
            Flavor::VictoriaMetrics => Some(
                "Rules are not served by VictoriaMetrics without vmalert: list the Prometheus \
                 servers or vmalert that evaluate them in `alerts.sources`, or proxy vmalert's \
                 API under `prometheus.url`.",
            ),
            Flavor::Thanos => Some(
                "Thanos answered no rules: it serves only the rules of its stores that have \
                 them (Thanos Ruler, sidecars); or list the Prometheus servers that evaluate \
                 them in `alerts.sources`.",
            ),
            Flavor::Mimir => Some(
                "Grafana Mimir answered no rules: they are served by its ruler, for this tenant \
                 (is the ruler enabled, with rule groups loaded?).",
            ),
            Flavor::Promxy => Some(
                "Promxy answered no rules: it serves only those of its own configuration; list \
                 the Prometheus servers that evaluate them in `alerts.sources`.",
            ),
        }
    }

    /// Whether it can answer exemplar queries at all (VictoriaMetrics answers an empty list,
    /// always: asking is a request for nothing).
    pub fn serves_exemplars(self) -> bool {
        self != Flavor::VictoriaMetrics
    }

    /// What the sources panel says of the endpoints the page calls that this backend does not
    /// serve, or serves only when set up for them.
    pub fn limits(self) -> Option<&'static str> {
        match self {
            Flavor::Prometheus => None,
            Flavor::VictoriaMetrics => Some(
                "VictoriaMetrics serves no exemplars (the latency chart shows Jaeger's traces \
                 only), and rules only through vmalert.",
            ),
            Flavor::Thanos => Some("Thanos serves rules and exemplars only from the stores that have them."),
            Flavor::Mimir => Some(
                "Grafana Mimir serves no targets, rules only from its ruler, and exemplars only \
                 when their storage is on.",
            ),
            Flavor::Promxy => Some("Promxy serves only the rules of its own configuration."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(body: &str) -> Option<Flavor> {
        Flavor::of_build(&serde_json::from_str(body).unwrap())
    }

    /// The build information each backend answers, as captured or documented.
    #[test]
    fn the_backend_is_known_by_its_build_information() {
        let prometheus = r#"{"status":"success","data":{"version":"2.42.0","revision":"x","branch":"debian/sid","buildUser":"team","buildDate":"20230320","goVersion":"go1.19.8"}}"#;
        assert_eq!(build(prometheus), Some(Flavor::Prometheus));
        assert_eq!(build(r#"{"status":"success","data":{"version":"3.7.3"}}"#), Some(Flavor::Prometheus));
        assert_eq!(build(r#"{"status":"success","data":{}}"#), Some(Flavor::VictoriaMetrics));
        assert_eq!(build(r#"{"status":"success","data":{"version":"0.37.2","revision":"y"}}"#), Some(Flavor::Thanos));
        let mimir = r#"{"status":"success","data":{"application":"Grafana Mimir","version":"2.14.0","revision":"x"}}"#;
        assert_eq!(build(mimir), Some(Flavor::Mimir));
        // Not the API's answer: nothing is concluded.
        assert_eq!(build(r#"{"status":"error","errorType":"x","error":"y"}"#), None);
        assert_eq!(build(r#"{"status":"success","data":{"revision":"x"}}"#), None);
        assert_eq!(build(r#"{"status":"success","data":[]}"#), None);
    }

    #[test]
    fn every_flavor_has_its_key_and_only_prometheus_serves_everything() {
        for flavor in Flavor::ALL {
            assert_eq!(Flavor::from_key(flavor.key()), Some(flavor));
            assert_eq!(flavor == Flavor::Prometheus, flavor.limits().is_none(), "{flavor:?}");
            assert_eq!(flavor == Flavor::Prometheus, flavor.no_rules().is_none(), "{flavor:?}");
        }
        assert_eq!(Flavor::from_key("VictoriaMetrics"), None);
        assert!(!Flavor::VictoriaMetrics.serves_exemplars() && Flavor::Thanos.serves_exemplars());
        assert!(Flavor::VictoriaMetrics.no_rules().unwrap().contains("`alerts.sources`"));
    }
}
