//! `arrwdb-sim serve | backfill`: the command line of the simulator (see `USAGE`).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;
use std::time::Instant;

use arrwdb_sim::config::MAX_REPLICAS;
use arrwdb_sim::{write_openmetrics, BackfillOptions, Deployment, JaegerServer, MetricsServer, SimConfig};

const USAGE: &str = "\
usage:
  arrwdb-sim serve    --start-unix N [--seed S] [--incident-anchor-unix A] [--incident-period-secs P]
                      [--listen 127.0.0.1:8000[,ADDR...]] [--jaeger-listen 127.0.0.1:16686]
                      [--bulk-libraries 0]
  arrwdb-sim backfill --start-unix N [--seed S] [--incident-anchor-unix A] [--incident-period-secs P]
                      --from F --to T --out FILE
                      [--fine-step-secs 10] [--fine-span-secs 21600] [--coarse-step-secs 30]
                      [--job arrwdb] [--instance 127.0.0.1:8000] [--cluster NAME]
                      [--replicas 1 --replica 0]

serve     plays one arrwDB replica per --listen address (comma-separated, up to 16), all on the
          same clock, seed and incident schedule: replica I (from 0) is known by its address (as
          given; with port 0, the one it got) and the host name arrwdb-<I+1>. They share the traffic evenly; each incident strikes one of
          them (error spike: replica 1 % N; latency regression: 0; auth failure burst and memory
          climb: N-1), the others stay healthy. Each answers GET /metrics (Prometheus text 0.0.4;
          OpenMetrics 1.0 with exemplars on the HTTP latency buckets when the Accept header asks
          for application/openmetrics-text) and GET /health (for the tests, POST /outage?secs=N
          makes both answer 503 for N seconds), and says \"listening on ADDR\" on
          stderr once bound, one line per replica in order. Stops on SIGTERM or SIGINT.
          With --jaeger-listen, also serves Jaeger's query API (/api/v3/... and the v1 /api/...)
          over the traces of every replica there (each span's resource names its replica in
          service.instance.id and host.name), and then says \"jaeger listening on ADDR\".
          --bulk-libraries N adds N libraries of constant index size to the first replica's
          arrwdb_vector_index_size_bytes (library_id bulk00000...): one metric with very many
          series, for the benchmark (not backfilled).
backfill  writes OpenMetrics history of [F, T] for `promtool tsdb create-blocks-from openmetrics`:
          every fine step over the last fine span before T, every coarse step before that.
          --job, --instance and --cluster label every sample as Prometheus labels what it
          scrapes (the cluster as a target label), so that the history continues the live
          series (an empty value leaves the label out; --cluster is empty unless given).
          --replicas N --replica I backfill replica I of N, as serve with N addresses exposes it
          (give its address as --instance).

Defaults: --seed 1, --incident-anchor-unix = --start-unix, --incident-period-secs 3600.";

/// The flags as given, `--name value` or `--name=value`, each at most once.
struct Flags {
    values: BTreeMap<String, String>,
}

impl Flags {
    fn parse(args: &[String], known: &[&str]) -> Result<Flags, String> {
        let mut values = BTreeMap::new();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            let Some(flag) = arg.strip_prefix("--") else {
                return Err(format!("unexpected argument {arg:?}"));
            };
            let (name, value) = match flag.split_once('=') {
                Some((name, value)) => (name.to_owned(), value.to_owned()),
                None => (flag.to_owned(), iter.next().ok_or_else(|| format!("--{flag} needs a value"))?.clone()),
            };
            if !known.contains(&name.as_str()) {
                return Err(format!("unknown flag --{name}"));
            }
            if values.insert(name.clone(), value).is_some() {
                return Err(format!("--{name} is given twice"));
            }
        }
        Ok(Flags { values })
    }

    fn text(&self, name: &str, default: &str) -> String {
        self.values.get(name).cloned().unwrap_or_else(|| default.to_owned())
    }

    fn number(&self, name: &str, default: Option<u64>) -> Result<u64, String> {
        match (self.values.get(name), default) {
            (Some(v), _) => v.parse().map_err(|_| format!("--{name} must be a non-negative integer, not {v:?}")),
            (None, Some(d)) => Ok(d),
            (None, None) => Err(format!("--{name} is required")),
        }
    }

    fn config(&self) -> Result<SimConfig, String> {
        let start_unix = self.number("start-unix", None)?;
        let config = SimConfig {
            start_unix,
            seed: self.number("seed", Some(1))?,
            incident_anchor_unix: self.number("incident-anchor-unix", Some(start_unix))?,
            incident_period_secs: self.number("incident-period-secs", Some(3_600))?,
            ..SimConfig::new(start_unix, 1)
        };
        config.validate().map_err(|e| e.to_string())?;
        Ok(config)
    }
}

const CONFIG_FLAGS: [&str; 4] = ["start-unix", "seed", "incident-anchor-unix", "incident-period-secs"];

fn serve(args: &[String]) -> Result<(), String> {
    let known: Vec<&str> = CONFIG_FLAGS.iter().copied().chain(["listen", "jaeger-listen", "bulk-libraries"]).collect();
    let flags = Flags::parse(args, &known)?;
    let bulk = flags.number("bulk-libraries", Some(0))?;
    let config = SimConfig { bulk_libraries: u32::try_from(bulk).map_err(|_| "--bulk-libraries is too large")?, ..flags.config()? };
    let addresses: Vec<String> = flags.text("listen", "127.0.0.1:8000").split(',').map(str::to_owned).collect();
    if addresses.len() > MAX_REPLICAS as usize || addresses.iter().any(String::is_empty) {
        return Err(format!("--listen takes 1 to {MAX_REPLICAS} addresses, separated by commas"));
    }
    let count = addresses.len() as u32;
    let mut servers = Vec::with_capacity(addresses.len());
    let mut instances = Vec::with_capacity(addresses.len());
    for (index, address) in addresses.iter().enumerate() {
        let server = MetricsServer::bind(address, config.replica(index as u32, count)).map_err(|e| e.to_string())?;
        // A replica is known by the address it was given; with port 0, by the one it got.
        instances.push(if address.ends_with(":0") { server.local_addr().to_string() } else { address.clone() });
        servers.push(server);
    }
    let deployment = Deployment::new(config, instances).map_err(|e| e.to_string())?;
    let jaeger = match flags.values.get("jaeger-listen") {
        Some(address) => Some(JaegerServer::bind(address, deployment).map_err(|e| e.to_string())?),
        None => None,
    };
    let now_unix = arrwdb_sim::server::now_unix();
    for server in &mut servers {
        server.warm_up(now_unix);
        eprintln!("listening on {}", server.local_addr());
    }
    if let Some(jaeger) = jaeger {
        eprintln!("jaeger listening on {}", jaeger.local_addr());
        std::thread::spawn(move || jaeger.run());
    }
    let last = servers.pop().expect("at least one address");
    for server in servers {
        std::thread::spawn(move || server.run());
    }
    last.run();
    Ok(())
}

fn backfill(args: &[String]) -> Result<(), String> {
    let known: Vec<&str> = CONFIG_FLAGS
        .iter()
        .copied()
        .chain(["from", "to", "out", "fine-step-secs", "fine-span-secs", "coarse-step-secs", "job", "instance", "cluster"])
        .chain(["replicas", "replica"])
        .collect();
    let flags = Flags::parse(args, &known)?;
    let count = u32::try_from(flags.number("replicas", Some(1))?).unwrap_or(u32::MAX);
    let index = u32::try_from(flags.number("replica", Some(0))?).unwrap_or(u32::MAX);
    let config = flags.config()?.replica(index, count);
    config.validate().map_err(|e| format!("--replica {index} --replicas {count}: {e}"))?;
    let mut options = BackfillOptions::new(flags.number("from", None)?, flags.number("to", None)?);
    options.fine_step_secs = flags.number("fine-step-secs", Some(options.fine_step_secs))?;
    options.fine_span_secs = flags.number("fine-span-secs", Some(options.fine_span_secs))?;
    options.coarse_step_secs = flags.number("coarse-step-secs", Some(options.coarse_step_secs))?;
    for (label, default) in [("job", "arrwdb"), ("instance", "127.0.0.1:8000"), ("cluster", "")] {
        let value = flags.text(label, default);
        if !value.is_empty() {
            options.extra_labels.push((label.to_owned(), value));
        }
    }
    if options.from_unix < config.start_unix {
        eprintln!("arrwdb-sim: the process starts at {}: nothing to backfill before", config.start_unix);
    }
    let path = flags.values.get("out").ok_or("--out is required")?;
    let started = Instant::now();
    let file = File::create(path).map_err(|e| format!("cannot create {path}: {e}"))?;
    let summary = write_openmetrics(&config, &options, &mut BufWriter::with_capacity(1 << 20, file))
        .map_err(|e| e.to_string())?;
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "arrwdb-sim: wrote {} samples ({} series x {} moments, {:.1} MB) to {path} in {:.1} s",
        summary.samples,
        summary.series,
        summary.timestamps,
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("backfill") => backfill(&args[1..]),
        Some("--help" | "-h" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => Err("expected a command: serve or backfill".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("arrwdb-sim: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
