//! `arrwdb-sim serve | backfill`: the command line of the simulator (see `USAGE`).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;
use std::time::Instant;

use arrwdb_sim::{write_openmetrics, BackfillOptions, JaegerServer, MetricsServer, SimConfig};

const USAGE: &str = "\
usage:
  arrwdb-sim serve    --start-unix N [--seed S] [--incident-anchor-unix A] [--incident-period-secs P]
                      [--listen 127.0.0.1:8000] [--jaeger-listen 127.0.0.1:16686]
  arrwdb-sim backfill --start-unix N [--seed S] [--incident-anchor-unix A] [--incident-period-secs P]
                      --from F --to T --out FILE
                      [--fine-step-secs 10] [--fine-span-secs 21600] [--coarse-step-secs 30]
                      [--job arrwdb] [--instance 127.0.0.1:8000]

serve     answers GET /metrics (Prometheus text 0.0.4) and GET /health; says \"listening on ADDR\"
          on stderr once bound; stops on SIGTERM or SIGINT. With --jaeger-listen, also serves
          Jaeger's query API (/api/v3/... and the v1 /api/...) over the simulated traces there,
          and then says \"jaeger listening on ADDR\" on the next line.
backfill  writes OpenMetrics history of [F, T] for `promtool tsdb create-blocks-from openmetrics`:
          every fine step over the last fine span before T, every coarse step before that.
          --job and --instance label every sample as Prometheus labels what it scrapes, so that
          the history continues the live series (an empty value leaves the label out).

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
    let known: Vec<&str> = CONFIG_FLAGS.iter().copied().chain(["listen", "jaeger-listen"]).collect();
    let flags = Flags::parse(args, &known)?;
    let config = flags.config()?;
    let mut server = MetricsServer::bind(&flags.text("listen", "127.0.0.1:8000"), config).map_err(|e| e.to_string())?;
    let jaeger = match flags.values.get("jaeger-listen") {
        Some(address) => Some(JaegerServer::bind(address, config).map_err(|e| e.to_string())?),
        None => None,
    };
    server.warm_up(arrwdb_sim::server::now_unix());
    eprintln!("listening on {}", server.local_addr());
    if let Some(jaeger) = jaeger {
        eprintln!("jaeger listening on {}", jaeger.local_addr());
        std::thread::spawn(move || jaeger.run());
    }
    server.run();
    Ok(())
}

fn backfill(args: &[String]) -> Result<(), String> {
    let known: Vec<&str> = CONFIG_FLAGS
        .iter()
        .copied()
        .chain(["from", "to", "out", "fine-step-secs", "fine-span-secs", "coarse-step-secs", "job", "instance"])
        .collect();
    let flags = Flags::parse(args, &known)?;
    let config = flags.config()?;
    let mut options = BackfillOptions::new(flags.number("from", None)?, flags.number("to", None)?);
    options.fine_step_secs = flags.number("fine-step-secs", Some(options.fine_step_secs))?;
    options.fine_span_secs = flags.number("fine-span-secs", Some(options.fine_span_secs))?;
    options.coarse_step_secs = flags.number("coarse-step-secs", Some(options.coarse_step_secs))?;
    for (label, default) in [("job", "arrwdb"), ("instance", "127.0.0.1:8000")] {
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
